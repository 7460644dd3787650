package io.faultline.sidecar.engine;

import io.faultline.sidecar.http.HttpListenerStats;
import io.faultline.sidecar.recording.PhaseTimings;
import io.faultline.sidecar.recording.RecordingBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one listener; they live as long as a listener of that name exists. */
public final class ListenerStats {
    public final AtomicLong connectionsActive = new AtomicLong();
    public final LongAdder connectionsTotal = new LongAdder();
    public final LongAdder connectionsRejected = new LongAdder();
    public final LongAdder upstreamConnectFailures = new LongAdder();
    public final LongAdder bytesUpstream = new LongAdder();
    public final LongAdder bytesDownstream = new LongAdder();
    /** Request-level counters; stay zero on tcp listeners. */
    public final HttpListenerStats http = new HttpListenerStats();
    /** Per-phase durations of http requests; stay empty on tcp listeners. */
    public final PhaseTimings httpTimings = new PhaseTimings();
    /** The listener's recorded exchanges; null while its recording is off (nothing is kept then). */
    public volatile RecordingBuffer recordings;
}
