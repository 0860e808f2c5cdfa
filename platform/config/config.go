// Package config reads a binary's settings from flags, each with an environment variable as its
// default, so the same binary is configured by command line in a shell and by environment in a
// container.
package config

import (
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Set is a flag set whose flags fall back on environment variables.
type Set struct {
	*flag.FlagSet
	getenv func(string) string
	errs   []string
}

// New returns a Set named name reading the environment through getenv.
func New(name string, getenv func(string) string) *Set {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	return &Set{FlagSet: fs, getenv: getenv}
}

// String defines a string flag whose default comes from env when set.
func (s *Set) String(name, env, def, usage string) *string {
	if v := s.getenv(env); v != "" {
		def = v
	}
	return s.FlagSet.String(name, def, usage+" (env "+env+")")
}

// Bool defines a boolean flag whose default comes from env when set.
func (s *Set) Bool(name, env string, def bool, usage string) *bool {
	if v := s.getenv(env); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.errs = append(s.errs, fmt.Sprintf("%s=%q is not a boolean", env, v))
		} else {
			def = b
		}
	}
	return s.FlagSet.Bool(name, def, usage+" (env "+env+")")
}

// Int64 defines an integer flag whose default comes from env when set.
func (s *Set) Int64(name, env string, def int64, usage string) *int64 {
	if v := s.getenv(env); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			s.errs = append(s.errs, fmt.Sprintf("%s=%q is not a whole number", env, v))
		} else {
			def = n
		}
	}
	return s.FlagSet.Int64(name, def, usage+" (env "+env+")")
}

// Duration defines a duration flag whose default comes from env when set.
func (s *Set) Duration(name, env string, def time.Duration, usage string) *time.Duration {
	if v := s.getenv(env); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			s.errs = append(s.errs, fmt.Sprintf("%s=%q is not a duration", env, v))
		} else {
			def = d
		}
	}
	return s.FlagSet.Duration(name, def, usage+" (env "+env+")")
}

// Parse parses args and reports malformed environment values too.
func (s *Set) Parse(args []string) error {
	if err := s.FlagSet.Parse(args); err != nil {
		return err
	}
	if len(s.errs) > 0 {
		return fmt.Errorf("%s", strings.Join(s.errs, "; "))
	}
	return nil
}
