package k8s

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// TestTracingSettings: every service and the gateway read the OpenTelemetry variables from one
// ConfigMap of the manifests, and tracing is off there (no collector address) until an overlay
// sets one.
func TestTracingSettings(t *testing.T) {
	for _, dir := range overlays(t) {
		t.Run(dir, func(t *testing.T) {
			r := render(t, dir)
			var cm *corev1.ConfigMap
			for _, c := range r.configMaps {
				if strings.HasPrefix(c.Name, "vif-telemetry-") {
					cm = c
				}
			}
			if cm == nil {
				t.Fatal("no ConfigMap vif-telemetry")
			}
			if v, ok := cm.Data["OTEL_EXPORTER_OTLP_ENDPOINT"]; !ok || v != "" {
				t.Errorf("vif-telemetry OTEL_EXPORTER_OTLP_ENDPOINT = %q (present %v); want it present and empty: tracing off until set", v, ok)
			}
			ws := r.workloads()
			for _, name := range append(slices.Clone(services), "gateway") {
				c := ws[name].pod.Spec.Containers[0]
				reads := false
				for _, e := range c.EnvFrom {
					reads = reads || e.ConfigMapRef != nil && e.ConfigMapRef.Name == cm.Name
				}
				if !reads {
					t.Errorf("%s does not take its environment from ConfigMap %s", name, cm.Name)
				}
			}
		})
	}
}
