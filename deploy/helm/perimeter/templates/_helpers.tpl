{{/* Names: <release>-perimeter unless the release is already called perimeter…, 63 characters at most. */}}
{{- define "perimeter.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "perimeter.labels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/component: {{ .component }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* Selector labels never change between releases of the chart: a Deployment's selector is immutable. */}}
{{- define "perimeter.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "perimeter.image" -}}
{{- $repository := index .root.Values.image.repositories .component -}}
{{- $tag := .root.Values.image.tag | default .root.Chart.AppVersion -}}
{{- if .root.Values.image.registry -}}
{{- printf "%s/%s:%s" .root.Values.image.registry $repository $tag -}}
{{- else -}}
{{- printf "%s:%s" $repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "perimeter.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "perimeter.fullname" .) -}}
{{- end -}}

{{/* One env entry read from the Secret: dict "root" $ "name" "DATABASE_URL" ("optional" true). */}}
{{- define "perimeter.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "perimeter.secretName" .root }}
      key: {{ .name }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end -}}

{{/* DATABASE_URL, REDIS_URL and PERIMETER_SECRET: what every service needs. */}}
{{- define "perimeter.coreEnv" -}}
{{ include "perimeter.secretEnv" (dict "root" . "name" "DATABASE_URL") }}
{{ include "perimeter.secretEnv" (dict "root" . "name" "REDIS_URL") }}
{{ include "perimeter.secretEnv" (dict "root" . "name" "PERIMETER_SECRET") }}
{{- end -}}

{{/* A service's own `env` map from values, after the chart's entries. */}}
{{- define "perimeter.extraEnv" -}}
{{- range $name, $value := . }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end -}}
{{- end -}}

{{/* Restarts pods when the Secret's content changes (Kubernetes does not re-read env from Secrets). */}}
{{- define "perimeter.secretChecksum" -}}
{{- toJson (list .Values.secrets .Values.database .Values.postgresql.password .Values.redis.password .Values.redis.url .Values.upstream.apiKey .Values.web.oidc.clientSecret) | sha256sum -}}
{{- end -}}

{{- define "perimeter.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "perimeter.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/*
Waits until the database holds every migration of this version (the bootstrap Job applies them), so
no service starts against an older schema, on a first install with bundled Postgres included.
*/}}
{{- define "perimeter.waitForSchema" -}}
- name: wait-for-schema
  image: {{ include "perimeter.image" (dict "root" . "component" "migrate") }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command: ["node", "--import", "tsx", "deploy/src/bootstrap/main.ts", "--wait-for-schema"]
  env:
    {{- include "perimeter.secretEnv" (dict "root" . "name" "DATABASE_URL") | nindent 4 }}
  securityContext:
    {{- include "perimeter.containerSecurityContext" . | nindent 4 }}
  resources:
    {{- toYaml .Values.bootstrap.resources | nindent 4 }}
  volumeMounts:
    - { name: tmp, mountPath: /tmp }
{{- end -}}

{{- define "perimeter.imagePullSecrets" -}}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end -}}
{{- end -}}
