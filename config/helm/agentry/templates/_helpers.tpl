{{/* Names, labels and the decisions more than one template depends on. */}}

{{- define "agentry.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: the release name, prefixed by the chart name unless it already contains it. */}}
{{- define "agentry.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "agentry.selectorLabels" -}}
app.kubernetes.io/name: {{ include "agentry.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "agentry.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "agentry.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: agentry
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "agentry.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "agentry.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "agentry.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* "true" when the operator campaigns for the Lease: always with more than one replica. */}}
{{- define "agentry.leaderElect" -}}
{{- $le := .Values.config.leaderElection | default dict -}}
{{- or (gt (int .Values.replicaCount) 1) (ne (toString $le.enabled) "false") -}}
{{- end -}}

{{- define "agentry.leaseNamespace" -}}
{{- $le := .Values.config.leaderElection | default dict -}}
{{- default .Release.Namespace $le.leaseNamespace -}}
{{- end -}}

{{/*
The namespaces the operator manages Agents in, one per line; empty means every namespace
(cluster-wide RBAC).
*/}}
{{- define "agentry.watchedNamespaces" -}}
{{- .Values.config.watchNamespaces | default list | uniq | join "\n" -}}
{{- end -}}

{{/*
The routes namespace (config.gateway.routeNamespace) when the operator needs a Role of its own
there: namespaced mode, and not one of the watched namespaces. The operator keeps only HTTPRoutes
in it. Empty otherwise.
*/}}
{{- define "agentry.routeOnlyNamespace" -}}
{{- $namespaces := .Values.config.watchNamespaces | default list -}}
{{- $gateway := .Values.config.gateway | default dict -}}
{{- if and $namespaces $gateway.routeNamespace (not (has $gateway.routeNamespace $namespaces)) -}}
{{- $gateway.routeNamespace -}}
{{- end -}}
{{- end -}}

{{/*
The configuration file: config from the values (the schema admits exactly the operator's keys),
with the leader-election settings the chart decides.
*/}}
{{- define "agentry.configFile" -}}
{{- $config := deepCopy (.Values.config | default dict) -}}
{{- $le := deepCopy ($config.leaderElection | default dict) -}}
{{- $_ := set $le "enabled" (eq (include "agentry.leaderElect" .) "true") -}}
{{- if not $le.leaseName -}}
{{- $_ := set $le "leaseName" (printf "%s-leader" (include "agentry.fullname" .)) -}}
{{- end -}}
{{- $_ := set $config "leaderElection" $le -}}
{{- toYaml $config -}}
{{- end -}}

{{/*
"true" when the operator config requires a label on the Secrets Agents reference
(config.pods.secretReferences.requiredLabel): the operator then watches Secrets' metadata, and its
roles grant list and watch on Secrets. Empty otherwise.
*/}}
{{- define "agentry.readsSecretMetadata" -}}
{{- $pods := .Values.config.pods | default dict -}}
{{- $refs := $pods.secretReferences | default dict -}}
{{- if $refs.requiredLabel -}}true{{- end -}}
{{- end -}}

{{/*
"true" when the operator config lets it read the Secrets RemoteAgents' headersFrom name
(config.remoteAgents.headersFromSecrets): its roles then grant get on Secrets. Empty otherwise.
*/}}
{{- define "agentry.readsRemoteAgentSecrets" -}}
{{- $remote := .Values.config.remoteAgents | default dict -}}
{{- if $remote.headersFromSecrets -}}true{{- end -}}
{{- end -}}
