package io.faultline.sidecar.config;

/** Which byte stream a fault acts on: upstream is client to server, downstream is server to client. */
public enum StreamDirection {
    UPSTREAM, DOWNSTREAM, BOTH;

    public boolean covers(StreamDirection single) {
        return this == BOTH || this == single;
    }

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
