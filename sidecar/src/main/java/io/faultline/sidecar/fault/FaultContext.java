package io.faultline.sidecar.fault;

import io.faultline.sidecar.config.StreamDirection;
import java.util.SplittableRandom;

/** What a fault handler may use beyond its own channel: randomness, counters, and the connection. */
public interface FaultContext {
    /** The stream this handler acts on (never BOTH). */
    StreamDirection stream();

    /** Deterministic when the sidecar runs with {@code --seed}. */
    SplittableRandom random();

    /** Counts one injection (a delayed chunk, a stall, a close...) for the rule's stats. */
    void injected();

    /** Closes both sides of the connection, flushing nothing further. */
    void closeConnection();

    /** Resets the client side with a TCP RST (SO_LINGER 0) and closes the upstream side. */
    void resetConnection();
}
