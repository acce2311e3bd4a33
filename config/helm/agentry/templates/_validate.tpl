{{/*
Checks across values that values.schema.json cannot express; the operator would refuse the same
configuration at start-up, after the install had "succeeded".
*/}}
{{- define "agentry.validate" -}}
{{- $le := .Values.config.leaderElection | default dict -}}
{{- $lease := default 15 $le.leaseDurationSeconds | int -}}
{{- $renew := default 10 $le.renewDeadlineSeconds | int -}}
{{- $retry := default 2 $le.retryPeriodSeconds | int -}}
{{- if ge $renew $lease -}}
{{- fail (printf "config.leaderElection.renewDeadlineSeconds (%d) must be less than config.leaderElection.leaseDurationSeconds (%d)" $renew $lease) -}}
{{- end -}}
{{- if ge $retry $renew -}}
{{- fail (printf "config.leaderElection.retryPeriodSeconds (%d) must be less than config.leaderElection.renewDeadlineSeconds (%d)" $retry $renew) -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not (.Capabilities.APIVersions.Has "monitoring.coreos.com/v1/ServiceMonitor")) -}}
{{- fail "metrics.serviceMonitor.enabled is true, but the cluster does not serve monitoring.coreos.com/v1 ServiceMonitor: install the Prometheus Operator CRDs first (with `helm template`, pass --api-versions monitoring.coreos.com/v1/ServiceMonitor)" -}}
{{- end -}}
{{- end -}}
