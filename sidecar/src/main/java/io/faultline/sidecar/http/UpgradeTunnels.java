package io.faultline.sidecar.http;

import io.faultline.sidecar.config.RuleSpec;
import io.netty.channel.Channel;
import java.util.function.Predicate;

/**
 * Takes over a client connection and its upstream connection once the upstream switched protocols
 * (101, e.g. WebSocket): from then on both are a byte relay with the listener's tcp faults, as on a
 * tcp listener. Both pipelines are empty of HTTP handlers when {@link #start} is called, on the
 * connection's event loop; AUTO_READ is off and neither channel has been asked to read.
 */
public interface UpgradeTunnels {
    /** {@code applies}: which of the listener's rules act on this connection's bytes (now and after changes). */
    void start(Channel client, Channel upstream, Predicate<RuleSpec> applies);
}
