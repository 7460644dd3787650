package io.faultline.sidecar.recording;

/** Per-phase duration histograms of one http listener's requests (always on: no allocation per request). */
public final class PhaseTimings {
    /** Opening a new upstream connection (requests on a reused connection have none). */
    public final Histogram upstreamConnect = new Histogram();
    /** From the request head received to the response head sent to the client (injected delays included). */
    public final Histogram timeToFirstByte = new Histogram();
    /** From the request head received to the response's last byte sent to the client. */
    public final Histogram total = new Histogram();
}
