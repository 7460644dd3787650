package io.faultline.kube.testkit;

/** The control-plane binaries are not installed and could not be downloaded: tests on a real API server skip. */
public final class KubeBinariesAbsentException extends RuntimeException {
    public KubeBinariesAbsentException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
