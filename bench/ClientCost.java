// Client-side CPU per PUT /v1/config: JDK HttpClient (as SidecarAdminClient) vs HttpURLConnection; figures in
// bench/results/operator-client-cost-20261123.txt. Usage: start a sidecar (java <image flags> -jar sidecar/target/faultline-sidecar.jar
// --admin 127.0.0.1:0), then: java bench/ClientCost.java PORT jdk|url   (Java 17 single-file launch)
import java.net.*; import java.net.http.*; import java.io.*; import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
/** Client-side process CPU per PUT /v1/config: JDK HttpClient (as SidecarAdminClient) vs HttpURLConnection (keep-alive). */
public class ClientCost {
    static long cpu() { return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime(); }
    static byte[] body(int i) { return ("{\"version\":\"v" + i + "\",\"expiresAt\":null,\"listeners\":[{\"name\":\"app\",\"listen\":\"127.0.0.2:0\",\"upstream\":\"127.0.0.1:9\",\"protocol\":\"tcp\"}],\"rules\":[{\"name\":\"bench.slow\",\"listeners\":[\"app\"],\"latency\":{\"fixed\":\"" + (100 + i % 50) + "ms\"}}]}").getBytes(StandardCharsets.UTF_8); }
    public static void main(String[] a) throws Exception {
        String base = "http://127.0.0.1:" + a[0]; String mode = a[1];
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        int[] marks = {1, 2, 12, 112, 612}; int done = 0; StringBuilder out = new StringBuilder(mode + ":");
        for (int m : marks) {
            long c0 = cpu();
            for (int i = done; i < m; i++) {
                if (mode.equals("jdk")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/config")).timeout(java.time.Duration.ofSeconds(2))
                        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(body(i))).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 200) throw new AssertionError(r.body());
                } else {
                    HttpURLConnection c = (HttpURLConnection) new URL(base + "/v1/config").openConnection();
                    c.setRequestMethod("PUT"); c.setDoOutput(true); c.setConnectTimeout(2000); c.setReadTimeout(2000); c.setInstanceFollowRedirects(false);
                    byte[] b = body(i); c.setFixedLengthStreamingMode(b.length); c.setRequestProperty("Content-Type", "application/json");
                    try (OutputStream o = c.getOutputStream()) { o.write(b); }
                    if (c.getResponseCode() != 200) throw new AssertionError();
                    try (InputStream in = c.getInputStream()) { new String(in.readAllBytes(), StandardCharsets.UTF_8); }
                }
            }
            out.append(String.format(" PUT %d-%d: %.2f ms", done + 1, m, (cpu() - c0) / 1e6 / (m - done)));
            done = m;
        }
        System.out.println(out);
    }
}
