package io.faultline.sidecar.recording;

import io.faultline.sidecar.config.RecordingSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorded exchanges of one listener: a ring of {@code capacity} entries, the oldest
 * overwritten. Written from the listener's event loops, read by the admin API; every method is
 * short and synchronized. Memory: capacity entries, each bounded ({@link ExchangeRecorder}).
 */
public final class RecordingBuffer {
    private volatile RecordingSpec spec;
    private RecordedExchange[] ring;
    private int next;
    private int size;
    private long recorded;

    public RecordingBuffer(RecordingSpec spec) {
        if (!spec.enabled()) {
            throw new IllegalArgumentException("recording is off");
        }
        this.spec = spec;
        this.ring = new RecordedExchange[spec.capacity()];
    }

    /** What to record (headers, body bound); read per request, without locking. */
    public RecordingSpec spec() {
        return spec;
    }

    /** Takes new settings, keeping the newest entries that fit the new capacity. */
    public synchronized void reconfigure(RecordingSpec newSpec) {
        if (!newSpec.enabled()) {
            throw new IllegalArgumentException("recording is off");
        }
        if (newSpec.capacity() != ring.length) {
            List<RecordedExchange> kept = newest(newSpec.capacity());
            ring = new RecordedExchange[newSpec.capacity()];
            size = kept.size();
            for (int i = 0; i < kept.size(); i++) {
                ring[i] = kept.get(i);
            }
            next = size % ring.length;
        }
        spec = newSpec;
    }

    /** Adds an entry (its id becomes the listener's sequence number, from 1). */
    public synchronized RecordedExchange add(RecordedExchange entry) {
        RecordedExchange e = entry.withId(++recorded);
        ring[next] = e;
        next = (next + 1) % ring.length;
        size = Math.min(size + 1, ring.length);
        return e;
    }

    /** The newest {@code limit} entries, oldest first. */
    public synchronized List<RecordedExchange> newest(int limit) {
        int n = Math.min(Math.max(0, limit), size);
        List<RecordedExchange> out = new ArrayList<>(n);
        int start = Math.floorMod(next - n, ring.length);
        for (int i = 0; i < n; i++) {
            out.add(ring[(start + i) % ring.length]);
        }
        return out;
    }

    /** Forgets every entry (the sequence numbers go on). Answers how many were dropped. */
    public synchronized int clear() {
        int dropped = size;
        java.util.Arrays.fill(ring, null);
        size = 0;
        next = 0;
        return dropped;
    }

    public synchronized int capacity() {
        return ring.length;
    }

    public synchronized int size() {
        return size;
    }

    /** Entries ever added, overwritten and cleared ones included. */
    public synchronized long recorded() {
        return recorded;
    }
}
