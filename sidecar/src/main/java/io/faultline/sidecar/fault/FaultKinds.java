package io.faultline.sidecar.fault;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The registry of fault types, by native name and by Toxiproxy type name. */
public final class FaultKinds {
    private static final Map<String, FaultKind> BY_NAME = new LinkedHashMap<>();
    private static final Map<String, FaultKind> BY_TOXIPROXY_TYPE = new LinkedHashMap<>();

    static {
        register(LatencyFault.KIND);
        register(BandwidthFault.KIND);
        register(SlicerFault.KIND);
        register(LimitDataFault.KIND);
        register(TimeoutFault.KIND);
        register(ResetPeerFault.KIND);
        register(SlowCloseFault.KIND);
        register(DownFault.KIND);
        register(LossFault.KIND);
        register(TlsHandshakeFailureFault.KIND);
        io.faultline.sidecar.http.HttpFaultKinds.ALL.forEach(FaultKinds::register);
    }

    private FaultKinds() {
    }

    private static void register(FaultKind kind) {
        BY_NAME.put(kind.name(), kind);
        BY_TOXIPROXY_TYPE.put(kind.toxiproxyType(), kind);
    }

    public static Optional<FaultKind> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    public static Optional<FaultKind> byToxiproxyType(String type) {
        FaultKind kind = BY_TOXIPROXY_TYPE.get(type);
        return Optional.ofNullable(kind != null ? kind : BY_NAME.get(type));
    }

    public static Collection<String> names() {
        return Collections.unmodifiableCollection(BY_NAME.keySet());
    }
}
