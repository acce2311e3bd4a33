#!/usr/bin/env bash
# Builds (once) and locates the binaries the local control plane and the tests run.
#
#   hack/binaries.sh [component ...]     components: kube-apiserver etcd kube-controller-manager
#                                         kube-scheduler kwok helm gateway-api (default: these),
#                                         and on request kustomize flux-crds prometheus-operator-crds
#                                         flux (source-, kustomize- and helm-controller) crane
#                                         traefik
#                                         actionlint
#
# Prints one NAME=path line per component on stdout (progress goes to stderr), e.g.
#   KUBE_APISERVER=/root/.cache/agentry/kubernetes-v1.36.3/kube-apiserver
#   GATEWAY_API_CRDS=/root/.cache/agentry/gateway-api-v1.4.0/standard
#   TRAEFIK=/root/.cache/agentry/traefik-v3.6.12/traefik
#   FLUX_CRDS=/root/.cache/agentry/flux-crds-kc-v1.9.6-sc-v1.9.6-hc-v1.6.4
#   FLUX_SOURCE_CONTROLLER=/root/.cache/agentry/flux-source-controller-v1.9.6/source-controller
#
# Everything is built from Go modules through the module proxy (no binary downloads), into a per-user
# cache outside the clone, keyed by version, so a fresh clone on the same machine reuses it.
# When KUBEBUILDER_ASSETS names a folder with kube-apiserver and etcd (controller-runtime's envtest
# assets), those two are taken from there instead of being built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
while IFS='=' read -r key value; do
  [[ "$key" =~ ^[A-Z_]+$ ]] || continue
  [ -n "${!key:-}" ] || export "$key=$value"
done < "$here/versions.env"

cache="${AGENTRY_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentry}"
mkdir -p "$cache"
export CGO_ENABLED=0
log() { printf '[binaries] %s\n' "$*" >&2; }

# go build -v names each package as it compiles it: show a count instead of thousands of lines.
go_build_with_progress() {
  local label="$1"; shift
  local start=$SECONDS
  go build -v "$@" 2>&1 | awk -v label="$label" '
    /^(go: |#|.*\.go:[0-9]+)/ { print; fflush(); next }
    { n++; if (n % 200 == 0) { printf "[binaries] %s: %d packages compiled\n", label, n; fflush() } }
    END { printf "[binaries] %s: %d packages compiled\n", label, n }' >&2
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { log "$label: go build failed (exit $rc)"; return "$rc"; }
  log "$label: built in $((SECONDS - start))s"
}

# Runs "$2..." to populate a fresh folder, then moves it into place as $1; holds a lock so two runs
# (a dev control plane and a test run) never build the same thing at once or see half a folder.
build_once() {
  local dest="$1"; shift
  [ -e "$dest/.complete" ] && return 0
  exec 9>"$dest.lock"
  flock 9
  if [ ! -e "$dest/.complete" ]; then
    local tmp; tmp="$(mktemp -d "$dest.tmp.XXXXXX")"; chmod 755 "$tmp"
    if ! "$@" "$tmp"; then rm -rf "$tmp"; exec 9>&-; return 1; fi
    touch "$tmp/.complete"
    rm -rf "$dest"; mv "$tmp" "$dest"
  fi
  exec 9>&-
}

build_kubernetes() {
  local out="$1" src="$here/tools/kubernetes"
  if ! grep -q "^require k8s.io/kubernetes $KUBERNETES_VERSION\$" "$src/go.mod"; then
    log "KUBERNETES_VERSION=$KUBERNETES_VERSION differs from the pinned module: resolving it in a scratch copy"
    local scratch; scratch="$(mktemp -d)"; cp "$src"/sync-gomod.sh "$scratch"/
    (cd "$scratch" && ./sync-gomod.sh "$KUBERNETES_VERSION" >&2)
    src="$scratch"
  fi
  local v="${KUBERNETES_VERSION#v}" major minor pkg ldflags=()
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=("-X $pkg.gitVersion=$KUBERNETES_VERSION" "-X $pkg.gitMajor=$major" "-X $pkg.gitMinor=$minor"
              "-X $pkg.gitTreeState=clean" "-X $pkg.buildDate=1970-01-01T00:00:00Z")
  done
  log "building kube-apiserver, kube-controller-manager, kube-scheduler $KUBERNETES_VERSION (cold: 15-30 min on 2 cores)"
  (cd "$src" && go_build_with_progress "kubernetes $KUBERNETES_VERSION" -trimpath -ldflags "-s -w ${ldflags[*]}" -o "$out/" \
     k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
}

build_etcd() {
  local out="$1" src="$here/tools/etcd"
  grep -q "go.etcd.io/etcd/server/v3 $ETCD_VERSION\$" "$src/go.mod" \
    || { log "ETCD_VERSION=$ETCD_VERSION does not match hack/tools/etcd/go.mod"; return 1; }
  log "building etcd $ETCD_VERSION"
  (cd "$src" && go_build_with_progress "etcd $ETCD_VERSION" -trimpath -ldflags "-s -w" -o "$out/etcd" .)
}

# kwok and helm are built with `go install module@version`: exactly their own go.mod and go.sum.
build_go_install() {
  local name="$1" module="$2" version="$3" out="$4"
  log "building $name $version"
  local start=$SECONDS
  GOBIN="$out" go install -trimpath -ldflags "-s -w ${5:-}" "$module@$version" >&2
  log "$name: built in $((SECONDS - start))s"
}
# kwok only simulates what its Stage configs describe; the stock ones ship inside its module.
# Nodes: initialize + heartbeat with a Lease (keeps them Ready for the node lifecycle controller).
# Pods: the general lifecycle (create, ready, complete, delete).
build_kwok() {
  build_go_install kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" "$1" "-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
  local dir stage
  dir="$(go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  mkdir -p "$1/stages"
  for stage in node/fast/node-initialize.yaml node/heartbeat-with-lease/node-heartbeat-with-lease.yaml \
               pod/general/pod-create.yaml pod/general/pod-ready.yaml pod/general/pod-complete.yaml \
               pod/general/pod-delete.yaml pod/general/pod-init-container-running.yaml \
               pod/general/pod-init-container-completed.yaml; do
    cp "$dir/kustomize/stage/$stage" "$1/stages/"
  done
  chmod -R u+w "$1/stages"
}
# helm stamped as its own Makefile does for a tag: its version, and the Kubernetes version it assumes
# without a cluster (.Capabilities.KubeVersion in `helm template`, the deprecation checks of `helm
# lint`) taken from the client-go its go.mod requires (v0.N.x -> v1.N). Unstamped it assumes v1.20
# and refuses the chart's kubeVersion >=1.29 unless given --kube-version.
# The build revision in its cache folder's name (HELM_BUILD) changes whenever these flags do, so a
# helm built with older flags is rebuilt rather than reused.
HELM_BUILD=r2
build_helm() {
  local gomod client_go major minor pkg ldflags
  gomod="$(go mod download -json "helm.sh/helm/v3@$HELM_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')"
  client_go="$(sed -n 's/^[[:space:]]*k8s\.io\/client-go \(v[0-9][0-9.]*\)$/\1/p' "$gomod")"
  [[ "$client_go" =~ ^v([0-9]+)\.([0-9]+)\. ]] || { log "no k8s.io/client-go version in helm $HELM_VERSION's go.mod"; return 1; }
  major=$((BASH_REMATCH[1] + 1)); minor="${BASH_REMATCH[2]}"
  ldflags="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.metadata="
  ldflags+=" -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ldflags+=" -X $pkg.k8sVersionMajor=$major -X $pkg.k8sVersionMinor=$minor"
  done
  build_go_install helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$1" "$ldflags"
}

fetch_gateway_api() {
  local out="$1" dir
  log "fetching Gateway API $GATEWAY_API_VERSION standard CRDs from the module proxy"
  dir="$(go mod download -json "sigs.k8s.io/gateway-api@$GATEWAY_API_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir/config/crd/standard" ] || { log "no config/crd/standard in $dir"; return 1; }
  mkdir -p "$out/standard"; cp "$dir"/config/crd/standard/*.yaml "$out/standard/"; chmod -R u+w "$out"
}

# The CRDs of the Flux controllers (the ones `flux` builds), as each ships them in its module
# (config/crd/bases/): the config/flux/ examples are validated against them, and the Flux test
# installs them before it starts the controllers.
fetch_flux_crds() {
  local out="$1" dir m
  mkdir -p "$out"
  for m in "kustomize-controller@$FLUX_KUSTOMIZE_CONTROLLER_VERSION" "source-controller@$FLUX_SOURCE_CONTROLLER_VERSION" \
           "helm-controller@$FLUX_HELM_CONTROLLER_VERSION"; do
    log "fetching the CRDs of $m from the module proxy"
    dir="$(go mod download -json "github.com/fluxcd/$m" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
    [ -d "$dir/config/crd/bases" ] || { log "no config/crd/bases in github.com/fluxcd/$m"; return 1; }
    cp "$dir"/config/crd/bases/*.yaml "$out/"
  done
  chmod -R u+w "$out"
}

# One Flux controller, from its wrapper module in hack/tools/flux-<controller>/ (`go install` refuses
# the controllers' replace directives; hack/tools/flux-sync-gomod.sh writes those modules). Built
# read-only against the committed go.sum, with upstream's own flags (-s -w, static).
build_flux_controller() {
  local controller="$1" version="$2" out="$3" src="$here/tools/flux-$1"
  grep -q "^require github.com/fluxcd/$controller $version\$" "$src/go.mod" \
    || { log "hack/tools/flux-$controller/go.mod does not pin $controller $version (run hack/tools/flux-sync-gomod.sh)"; return 1; }
  log "building $controller $version (cold: several minutes on 2 cores)"
  (cd "$src" && go_build_with_progress "$controller $version" -mod=readonly -trimpath -ldflags "-s -w" -o "$out/$controller" "github.com/fluxcd/$controller")
}

# The ServiceMonitor CRD (the Helm chart's optional ServiceMonitor is dry-run against it).
fetch_prometheus_operator_crds() {
  local out="$1" dir
  log "fetching the Prometheus Operator $PROMETHEUS_OPERATOR_VERSION ServiceMonitor CRD from the module proxy"
  dir="$(go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -f "$dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" ] || { log "no ServiceMonitor CRD in $dir"; return 1; }
  cp "$dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" "$out/"; chmod -R u+w "$out"
}

# Traefik's go.mod replaces three modules with forks (go-http-auth, mux, minheap), which `go install
# module@version` refuses: build it as the main module, in its own downloaded (read-only) module
# folder, with exactly its go.mod and go.sum; version stamped as its Makefile does.
build_traefik() {
  local out="$1" dir
  log "building traefik $TRAEFIK_VERSION (cold: several minutes on 2 cores; downloads its modules first)"
  dir="$(go mod download -json "github.com/traefik/traefik/v3@$TRAEFIK_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -f "$dir/cmd/traefik/traefik.go" ] || { log "no cmd/traefik in github.com/traefik/traefik/v3@$TRAEFIK_VERSION"; return 1; }
  local pkg=github.com/traefik/traefik/v3/pkg/version
  (cd "$dir" && GOFLAGS=-mod=readonly go_build_with_progress "traefik $TRAEFIK_VERSION" -trimpath \
     -ldflags "-s -w -X $pkg.Version=$TRAEFIK_VERSION -X $pkg.Codename=ramequin -X $pkg.BuildDate=1970-01-01T00:00:00Z" \
     -o "$out/traefik" ./cmd/traefik)
}

# actionlint lints .github/workflows/ in the tests (test/unit/ci/workflows.test.ts). `go install`
# takes the version it prints from the module; installedFrom says where this one came from.
build_actionlint() {
  build_go_install actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" "$1" \
    "-X github.com/rhysd/actionlint.installedFrom=hack/binaries.sh"
}

envtest_has() { [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/$1" ]; }

components=("$@")
[ "${#components[@]}" -gt 0 ] || components=(kube-apiserver etcd kube-controller-manager kube-scheduler kwok helm gateway-api)
for c in "${components[@]}"; do
  case "$c" in
    kube-apiserver|kube-controller-manager|kube-scheduler)
      var="$(echo "$c" | tr 'a-z-' 'A-Z_')"
      if envtest_has "$c"; then echo "$var=$KUBEBUILDER_ASSETS/$c"; continue; fi
      build_once "$cache/kubernetes-$KUBERNETES_VERSION" build_kubernetes
      echo "$var=$cache/kubernetes-$KUBERNETES_VERSION/$c" ;;
    etcd)
      if envtest_has etcd; then echo "ETCD=$KUBEBUILDER_ASSETS/etcd"; continue; fi
      build_once "$cache/etcd-$ETCD_VERSION" build_etcd
      echo "ETCD=$cache/etcd-$ETCD_VERSION/etcd" ;;
    kwok) build_once "$cache/kwok-$KWOK_VERSION" build_kwok; echo "KWOK=$cache/kwok-$KWOK_VERSION/kwok"
      echo "KWOK_STAGES=$cache/kwok-$KWOK_VERSION/stages" ;;
    helm) build_once "$cache/helm-$HELM_VERSION-$HELM_BUILD" build_helm; echo "HELM=$cache/helm-$HELM_VERSION-$HELM_BUILD/helm" ;;
    kustomize) build_once "$cache/kustomize-$KUSTOMIZE_VERSION" build_go_install kustomize sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
      echo "KUSTOMIZE=$cache/kustomize-$KUSTOMIZE_VERSION/kustomize" ;;
    flux-crds)
      flux="flux-crds-kc-$FLUX_KUSTOMIZE_CONTROLLER_VERSION-sc-$FLUX_SOURCE_CONTROLLER_VERSION-hc-$FLUX_HELM_CONTROLLER_VERSION"
      build_once "$cache/$flux" fetch_flux_crds; echo "FLUX_CRDS=$cache/$flux" ;;
    flux)
      for controller in source-controller kustomize-controller helm-controller; do
        var="FLUX_$(echo "$controller" | tr 'a-z-' 'A-Z_')_VERSION"; version="${!var}"
        build_once "$cache/flux-$controller-$version" build_flux_controller "$controller" "$version"
        echo "FLUX_$(echo "$controller" | tr 'a-z-' 'A-Z_')=$cache/flux-$controller-$version/$controller"
      done ;;
    crane) build_once "$cache/crane-$CRANE_VERSION" build_go_install crane github.com/google/go-containerregistry/cmd/crane "$CRANE_VERSION"
      echo "CRANE=$cache/crane-$CRANE_VERSION/crane" ;;
    prometheus-operator-crds) build_once "$cache/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION" fetch_prometheus_operator_crds
      echo "PROMETHEUS_OPERATOR_CRDS=$cache/prometheus-operator-crds-$PROMETHEUS_OPERATOR_VERSION" ;;
    gateway-api) build_once "$cache/gateway-api-$GATEWAY_API_VERSION" fetch_gateway_api
      echo "GATEWAY_API_CRDS=$cache/gateway-api-$GATEWAY_API_VERSION/standard" ;;
    traefik) build_once "$cache/traefik-$TRAEFIK_VERSION" build_traefik; echo "TRAEFIK=$cache/traefik-$TRAEFIK_VERSION/traefik" ;;
    actionlint) build_once "$cache/actionlint-$ACTIONLINT_VERSION" build_actionlint
      echo "ACTIONLINT=$cache/actionlint-$ACTIONLINT_VERSION/actionlint" ;;
    *) log "unknown component: $c"; exit 2 ;;
  esac
done
