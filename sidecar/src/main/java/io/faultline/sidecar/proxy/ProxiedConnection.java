package io.faultline.sidecar.proxy;

import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.config.StreamDirection;
import io.faultline.sidecar.fault.FaultContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * One client connection and its upstream connection, on one event loop. Faults for the upstream
 * stream sit in the upstream channel's write path, faults for the downstream stream in the
 * client channel's; rule changes are applied here, on the event loop, as a diff.
 */
public final class ProxiedConnection {
    static final String RELAY = "relay";
    static final String STREAM_END = "stream-end";

    private final Channel client;
    private final Channel upstream;
    private final SplittableRandom random;
    /** Which of the listener's rules act here (all on tcp listeners; a subset on upgraded http connections). */
    private final Predicate<RuleSpec> applies;
    private final Map<String, InstalledRule> installed = new HashMap<>();
    private boolean clientOutputDone;
    private boolean upstreamOutputDone;
    private boolean closed;
    private boolean firstRulesApplied;
    private String lastClientHelloHandler;
    private long generation;

    /** A rule as this connection decided it: applied (with handler names) or not drawn. */
    private record InstalledRule(RuleSpec spec, List<Slot> slots) {
    }

    private record Slot(Channel channel, String handlerName) {
    }

    ProxiedConnection(Channel client, Channel upstream, SplittableRandom random, Predicate<RuleSpec> applies) {
        this.client = client;
        this.upstream = upstream;
        this.random = random;
        this.applies = applies;
    }

    public Channel client() {
        return client;
    }

    public Channel upstream() {
        return upstream;
    }

    /** Brings the installed faults to {@code desired}; unchanged rules keep their handlers and what they hold. */
    public void applyRules(List<ActiveRule> listenerRules) {
        if (closed) {
            return;
        }
        List<ActiveRule> desired = listenerRules.stream().filter(r -> applies.test(r.spec())).toList();
        Map<String, ActiveRule> byName = new HashMap<>();
        for (ActiveRule rule : desired) {
            byName.put(rule.spec().name(), rule);
        }
        for (var it = installed.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            ActiveRule want = byName.get(entry.getKey());
            if (want != null && continuesInPlace(entry.getValue().spec(), want.spec())) {
                entry.setValue(replaceInPlace(entry.getValue(), want));
                continue;
            }
            if (want == null || !want.spec().equals(entry.getValue().spec())) {
                uninstall(entry.getValue());
                it.remove();
            }
        }
        for (int i = 0; i < desired.size(); i++) {
            ActiveRule rule = desired.get(i);
            if (!installed.containsKey(rule.spec().name())) {
                installed.put(rule.spec().name(), install(rule, desired, i));
            }
        }
        firstRulesApplied = true;
    }

    /** A rule changed only in its fault's settings, and the fault carries its state over (limitData's count). */
    private static boolean continuesInPlace(RuleSpec was, RuleSpec now) {
        return !now.equals(was) && !now.fault().actsOnClientHello() && now.fault().continuesFrom(was.fault())
                && new RuleSpec(was.name(), was.listeners(), was.probability(), was.stream(), was.match(), now.fault())
                        .equals(now);
    }

    /** Same draw, same place in each pipeline; each new handler takes over from the one it replaces. */
    private InstalledRule replaceInPlace(InstalledRule was, ActiveRule now) {
        List<Slot> slots = new ArrayList<>(was.slots().size());
        for (Slot slot : was.slots()) {
            ChannelPipeline pipeline = slot.channel().pipeline();
            ChannelHandler previous = pipeline.get(slot.handlerName());
            if (previous == null) {
                continue; // the channel is closing
            }
            StreamDirection stream = slot.channel() == upstream ? StreamDirection.UPSTREAM : StreamDirection.DOWNSTREAM;
            ChannelHandler next = now.spec().fault().newHandler(
                    new ConnectionFaultContext(stream, random.split(), now), previous);
            String name = "fault:" + now.spec().name() + ":" + stream + ":" + (++generation);
            pipeline.replace(previous, name, next);
            slots.add(new Slot(slot.channel(), name));
        }
        return new InstalledRule(now.spec(), slots);
    }

    private boolean drawn(RuleSpec spec) {
        // Toxiproxy's toxicity: drawn once per connection and rule.
        return spec.probability() >= 1.0 || random.nextDouble() < spec.probability();
    }

    /**
     * First in the client's pipeline, in rule order. Only the first rules of a connection are applied
     * before the client's first byte is read (see ListenerRuntime#start); a later rule finds the
     * handshake over and is not applied.
     */
    private InstalledRule installOnClientHello(ActiveRule rule) {
        RuleSpec spec = rule.spec();
        List<Slot> slots = new ArrayList<>(1);
        if (firstRulesApplied || !drawn(spec)) {
            return new InstalledRule(spec, slots);
        }
        rule.stats().connections.increment();
        ChannelHandler handler = spec.fault().newHandler(
                new ConnectionFaultContext(StreamDirection.UPSTREAM, random.split(), rule));
        String name = "fault:" + spec.name() + ":hello:" + (++generation);
        if (lastClientHelloHandler == null) {
            client.pipeline().addFirst(name, handler);
        } else {
            client.pipeline().addAfter(lastClientHelloHandler, name, handler);
        }
        lastClientHelloHandler = name;
        slots.add(new Slot(client, name));
        return new InstalledRule(spec, slots);
    }

    private InstalledRule install(ActiveRule rule, List<ActiveRule> desired, int index) {
        RuleSpec spec = rule.spec();
        if (spec.fault().actsOnClientHello()) {
            return installOnClientHello(rule);
        }
        List<Slot> slots = new ArrayList<>(2);
        if (!drawn(spec)) {
            return new InstalledRule(spec, slots);
        }
        rule.stats().connections.increment();
        for (StreamDirection stream : List.of(StreamDirection.UPSTREAM, StreamDirection.DOWNSTREAM)) {
            if (!spec.stream().covers(stream)) {
                continue;
            }
            Channel receiver = stream == StreamDirection.UPSTREAM ? upstream : client;
            FaultContext context = new ConnectionFaultContext(stream, random.split(), rule);
            ChannelHandler handler = spec.fault().newHandler(context);
            String name = "fault:" + spec.name() + ":" + stream + ":" + (++generation);
            insertInOrder(receiver, name, handler, desired, index);
            slots.add(new Slot(receiver, name));
        }
        return new InstalledRule(spec, slots);
    }

    /**
     * Writes travel from the pipeline's tail to its head, so the first rule sits nearest the tail:
     * a rule goes just before (headward of) the closest earlier rule installed on the same channel.
     */
    private void insertInOrder(Channel receiver, String name, ChannelHandler handler,
                               List<ActiveRule> desired, int index) {
        ChannelPipeline pipeline = receiver.pipeline();
        for (int j = index - 1; j >= 0; j--) {
            InstalledRule earlier = installed.get(desired.get(j).spec().name());
            if (earlier == null) {
                continue;
            }
            for (Slot slot : earlier.slots()) {
                if (slot.channel() == receiver && pipeline.get(slot.handlerName()) != null) {
                    pipeline.addBefore(slot.handlerName(), name, handler);
                    return;
                }
            }
        }
        pipeline.addLast(name, handler);
    }

    private void uninstall(InstalledRule rule) {
        for (Slot slot : rule.slots()) {
            ChannelPipeline pipeline = slot.channel().pipeline();
            if (pipeline.get(slot.handlerName()) != null) {
                // handlerRemoved forwards whatever the fault held.
                pipeline.remove(slot.handlerName());
            }
        }
    }

    /** {@code side} will send nothing more: pass the end of stream on, in order with held bytes. */
    void endOfInput(Channel side) {
        Channel receiver = side == client ? upstream : client;
        receiver.writeAndFlush(EndOfStream.INSTANCE).addListener(f -> {
            if (receiver == upstream) {
                upstreamOutputDone = true;
            } else {
                clientOutputDone = true;
            }
            if (!f.isSuccess() || (upstreamOutputDone && clientOutputDone)) {
                close();
            }
        });
    }

    /** One side is gone: let the other side receive what is on its way, then close it. */
    void sideClosed(Channel side) {
        Channel other = side == client ? upstream : client;
        if (closed || !other.isActive()) {
            close();
            return;
        }
        other.writeAndFlush(EndOfStream.INSTANCE).addListener((ChannelFutureListener) f -> close());
    }

    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.close();
        upstream.close();
    }

    /** TCP RST toward the client (SO_LINGER 0), plain close toward the upstream. */
    public void reset() {
        if (closed) {
            return;
        }
        if (client.isActive()) {
            client.config().setOption(ChannelOption.SO_LINGER, 0);
        }
        close();
    }

    private final class ConnectionFaultContext implements FaultContext {
        private final StreamDirection stream;
        private final SplittableRandom random;
        private final ActiveRule rule;

        ConnectionFaultContext(StreamDirection stream, SplittableRandom random, ActiveRule rule) {
            this.stream = stream;
            this.random = random;
            this.rule = rule;
        }

        @Override
        public StreamDirection stream() {
            return stream;
        }

        @Override
        public SplittableRandom random() {
            return random;
        }

        @Override
        public void injected() {
            rule.stats().injected.increment();
        }

        @Override
        public void closeConnection() {
            close();
        }

        @Override
        public void resetConnection() {
            reset();
        }
    }
}
