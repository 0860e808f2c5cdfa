package config

import (
	"testing"
	"time"
)

func TestEnvironmentIsTheDefaultAndFlagsWin(t *testing.T) {
	env := map[string]string{"VIF_ADDR": "127.0.0.1:1", "VIF_SEED": "false", "VIF_WAIT": "3s"}
	s := New("test", func(k string) string { return env[k] })
	addr := s.String("addr", "VIF_ADDR", "default", "address")
	other := s.String("other", "VIF_OTHER", "fallback", "other")
	seed := s.Bool("seed", "VIF_SEED", true, "seed")
	wait := s.Duration("wait", "VIF_WAIT", time.Second, "wait")
	if err := s.Parse([]string{"--other", "given"}); err != nil {
		t.Fatal(err)
	}
	if *addr != "127.0.0.1:1" || *other != "given" || *seed || *wait != 3*time.Second {
		t.Errorf("got addr=%q other=%q seed=%v wait=%v; want env values and the flag", *addr, *other, *seed, *wait)
	}
}

func TestMalformedEnvironmentIsAnError(t *testing.T) {
	s := New("test", func(k string) string { return map[string]string{"VIF_SEED": "maybe"}[k] })
	s.Bool("seed", "VIF_SEED", true, "seed")
	if err := s.Parse(nil); err == nil {
		t.Error("Parse with VIF_SEED=maybe = nil; want an error")
	}
}
