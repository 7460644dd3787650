package io.faultline.crds.fault;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * TCP: fails the TLS handshake of a connection: the client's ClientHello is answered with a fatal TLS alert
 * and the connection is closed (on a TLS passthrough target, and on one the sidecar terminates).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public class TlsHandshakeFailureFault {
    @JsonPropertyDescription("The TLS alert the client receives (RFC 8446 names). Default handshake_failure.")
    public Alert alert;

    /** TLS alert descriptions, by their RFC names (the sidecar's list). */
    public enum Alert {
        handshake_failure, protocol_version, insufficient_security, unexpected_message, bad_record_mac,
        record_overflow, bad_certificate, unsupported_certificate, certificate_revoked, certificate_expired,
        certificate_unknown, illegal_parameter, unknown_ca, access_denied, decode_error, decrypt_error,
        internal_error, inappropriate_fallback, missing_extension, unsupported_extension, unrecognized_name,
        certificate_required, no_application_protocol
    }
}
