{{/*
Checks across values that values.schema.json cannot express; the operator would refuse the same
configuration at start-up, after the install had "succeeded". The lease timings follow the one rule
of src/controller/lease-timing.ts (client-go's), with the same messages and the operator's defaults:
test/unit/install/lease-timings.test.ts holds the chart, the configuration schema and the
LeaderElector to the same answer on a table of cases.
*/}}
{{- define "agentry.validate" -}}
{{- $le := .Values.config.leaderElection | default dict -}}
{{- $lease := default 15 $le.leaseDurationSeconds | int -}}
{{- $renew := default 10 $le.renewDeadlineSeconds | int -}}
{{- $retry := default 2 $le.retryPeriodSeconds | int -}}
{{- if ge $renew $lease -}}
{{- fail (printf "config.leaderElection.renewDeadlineSeconds (%d) must be less than config.leaderElection.leaseDurationSeconds (%d)" $renew $lease) -}}
{{- end -}}
{{- /* retry × 1.2 < renew, in tenths so that it is integer arithmetic, as in lease-timing.ts. */ -}}
{{- if ge (mul $retry 12) (mul $renew 10) -}}
{{- fail (printf "config.leaderElection.retryPeriodSeconds × 1.2 (%g) must be less than config.leaderElection.renewDeadlineSeconds (%d)" (divf (mul $retry 12) 10) $renew) -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")) -}}
{{- fail "metrics.serviceMonitor.enabled is true, but the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor: install the Prometheus Operator CRDs first (with `helm template`, pass --api-versions monitoring.coreos.com/v1/ServiceMonitor)" -}}
{{- end -}}
{{- end -}}
