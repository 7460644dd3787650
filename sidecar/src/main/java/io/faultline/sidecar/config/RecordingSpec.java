package io.faultline.sidecar.config;

/** Opt-in recording of an http listener's exchanges into a bounded ring buffer. {@link #OFF} = none. */
public record RecordingSpec(int capacity) {
    public static final RecordingSpec OFF = new RecordingSpec(0);

    public boolean enabled() {
        return capacity > 0;
    }
}
