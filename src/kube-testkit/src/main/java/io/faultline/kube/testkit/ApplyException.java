package io.faultline.kube.testkit;

import java.util.List;
import java.util.stream.Collectors;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;

/** The API server refused a document: the message names the document and repeats the API server's answer. */
public final class ApplyException extends RuntimeException {
    private final int code;
    private final String apiServerMessage;
    private final List<StatusCause> causes;

    ApplyException(String where, HasMetadata resource, String namespace, KubernetesClientException cause) {
        super(describe(where, resource, namespace, cause), cause);
        Status status = cause.getStatus();
        this.code = cause.getCode();
        this.apiServerMessage = status != null && status.getMessage() != null ? status.getMessage() : cause.getMessage();
        this.causes = status != null && status.getDetails() != null && status.getDetails().getCauses() != null
                ? List.copyOf(status.getDetails().getCauses())
                : List.of();
    }

    /** HTTP status code of the answer (422 for a schema or CEL rejection, 403 for RBAC, 409 for a conflict). */
    public int code() {
        return code;
    }

    /** The API server's message, e.g. {@code FaultSession.faultline.io "x" is invalid: spec.faults[0]: ...}. */
    public String apiServerMessage() {
        return apiServerMessage;
    }

    /** Per-field causes (field path and message) the API server listed. */
    public List<StatusCause> causes() {
        return causes;
    }

    private static String describe(String where, HasMetadata resource, String namespace,
            KubernetesClientException cause) {
        Status status = cause.getStatus();
        String ns = namespace != null ? namespace + "/" : "";
        String name = resource.getMetadata() != null ? resource.getMetadata().getName() : "?";
        String answer = status != null && status.getMessage() != null
                ? status.getCode() + (status.getReason() != null ? " " + status.getReason() : "") + ": "
                        + status.getMessage()
                : cause.getMessage();
        // The message usually repeats every cause; list those it does not.
        String causes = status != null && status.getDetails() != null && status.getDetails().getCauses() != null
                ? status.getDetails().getCauses().stream().map(c -> c.getField() + ": " + c.getMessage())
                        .filter(c -> !answer.contains(c)).collect(Collectors.joining("; "))
                : "";
        return "server-side apply of " + where + " (" + resource.getKind() + " " + ns + name
                + ") was rejected by the API server: " + answer + (causes.isEmpty() ? "" : " [" + causes + "]");
    }
}
