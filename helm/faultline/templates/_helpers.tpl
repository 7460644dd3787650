{{/* Name of the chart, overridable. */}}
{{- define "faultline.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Base name of every object: the release name when it already contains the chart name. */}}
{{- define "faultline.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else if contains (include "faultline.name" .) .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name (include "faultline.name" .) | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{- define "faultline.operatorName" -}}
{{- printf "%s-operator" (include "faultline.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "faultline.webhookName" -}}
{{- printf "%s-webhook" (include "faultline.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "faultline.serviceAccountName" -}}
{{- default (include "faultline.operatorName" .) .Values.operator.serviceAccount.name }}
{{- end }}

{{- define "faultline.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "faultline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: faultline
{{- end }}

{{- define "faultline.selectorLabels" -}}
app.kubernetes.io/name: {{ include "faultline.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* An image reference: repository:tag, the tag defaulting to the chart's appVersion. */}}
{{- define "faultline.image" -}}
{{- $tag := default .root.Chart.AppVersion .image.tag -}}
{{- if .image.digest -}}
{{- printf "%s@%s" .image.repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- end -}}
{{- end }}

{{/* Secret (release namespace) with the webhook's CA and serving certificate: the operator's own, or cert-manager's. */}}
{{- define "faultline.webhookTlsSecret" -}}
{{- printf "%s-certs" (include "faultline.webhookName" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Secret (key "token") the operator keeps in every opted-in namespace: the sidecars' admin API token. */}}
{{- define "faultline.tokenSecret" -}}
faultline-sidecar-token
{{- end }}
