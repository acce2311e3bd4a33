{{/*
The operator's permissions: exactly src/operator/rbac-requirements.ts (test/unit/install/ fails on
any difference). Caches are filled by list+watch, children are written by server-side apply (patch,
plus create when an apply creates the object) and pruned by delete; the Agent's finalizer and
status are patches; Events are created; the Lease is read, created and renewed. agents/finalizers
update lets the children's ownerReferences set blockOwnerDeletion where the
OwnerReferencesPermissionEnforcement admission plugin is on (OpenShift, hardened clusters).
*/}}
{{- define "agentry.watchedNamespaceRules" -}}
- apiGroups: [agentry.dev]
  resources: [agents]
  verbs: [list, watch, patch]
- apiGroups: [agentry.dev]
  resources: [agents/status]
  verbs: [patch]
- apiGroups: [agentry.dev]
  resources: [agents/finalizers]
  verbs: [update]
- apiGroups: [agentry.dev]
  resources: [modelconfigs]
  verbs: [list, watch]
- apiGroups: [""]
  resources: [configmaps, serviceaccounts, services]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [apps]
  resources: [deployments]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes, referencegrants]
  verbs: [list, watch, create, patch, delete]
- apiGroups: [""]
  resources: [events]
  verbs: [create]
{{- end -}}

{{- define "agentry.routeNamespaceRules" -}}
- apiGroups: [gateway.networking.k8s.io]
  resources: [httproutes]
  verbs: [list, watch, create, patch, delete]
{{- end -}}

{{- define "agentry.leaderElectionRules" -}}
- apiGroups: [coordination.k8s.io]
  resources: [leases]
  verbs: [get, create, update]
{{- end -}}
