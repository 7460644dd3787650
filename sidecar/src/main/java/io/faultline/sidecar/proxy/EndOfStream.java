package io.faultline.sidecar.proxy;

/**
 * Written through a channel's pipeline after the last byte of a stream. Faults keep it in order
 * with the data they hold, so a FIN is never overtaken by delayed bytes; {@link StreamEndHandler}
 * turns it into a half-close of the socket.
 */
public final class EndOfStream {
    public static final EndOfStream INSTANCE = new EndOfStream();

    private EndOfStream() {
    }

    @Override
    public String toString() {
        return "EndOfStream";
    }
}
