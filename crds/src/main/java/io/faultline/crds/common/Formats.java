package io.faultline.crds.common;

/** Regular expressions shared by the schema annotations and by the operator's own validation. */
public final class Formats {
    /** Kubernetes/Go style duration: {@code 250ms}, {@code 1.5s}, {@code 15m}, {@code 1h30m}, {@code 100us}, {@code 0}. */
    public static final String DURATION = "^(0|([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+)$";
    /** Byte size: {@code 64KiB}, {@code 1MiB}, {@code 1000}, {@code 10KB}. */
    public static final String SIZE = "^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|KiB|MiB|GiB|k|K|M|G|Ki|Mi|Gi)?$";
    /** Rate: bytes per second as a size, or bits per second ({@code 2Mbps}, {@code 384Kbps}). */
    public static final String RATE = "^[0-9]+(\\.[0-9]+)?(B|KB|MB|GB|KiB|MiB|GiB|k|K|M|G|Ki|Mi|Gi|bps|Kbps|kbps|Mbps|Gbps)?$";
    /** RFC 1123 label: names of targets and faults. */
    public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
    /** RFC 3339 timestamp in UTC or with an offset. */
    public static final String TIMESTAMP = "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$";
    /** Proxy mapping grammar for outbound targets: {@code LISTEN_PORT=[scheme://]host:port}. */
    public static final String MAPPING = "^[0-9]{1,5}=((tcp|http|tls)://)?[A-Za-z0-9.-]+:[0-9]{1,5}$";

    private Formats() {
    }
}
