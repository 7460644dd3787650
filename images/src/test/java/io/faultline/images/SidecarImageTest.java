package io.faultline.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

/**
 * The sidecar image, unpacked from its OCI archive and run for real: it answers {@code /readyz}, proxies HTTP to an
 * upstream with faults applied, runs as the webhook's user with the flags BENCHMARKS.md recommends, and maps its
 * AppCDS archive. Start-to-ready is printed with and without the archive (measured, never asserted).
 */
class SidecarImageTest {
    private static final Pattern ADMIN = Pattern.compile("admin_listening address=(\\S+)");
    private static final Duration GENEROUS = Duration.ofSeconds(120);

    private static ImageArchive image;
    private static ImageArchive.Unpacked rootfs;
    private static HttpServer upstream;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void unpack() throws IOException {
        image = Images.archive("faultline-sidecar");
        rootfs = Images.unpack(image, "sidecar");
        upstream = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        upstream.createContext("/", exchange -> {
            byte[] body = ("upstream saw " + exchange.getRequestURI().getPath()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        upstream.start();
    }

    @AfterAll
    static void stopUpstream() {
        if (upstream != null) {
            upstream.stop(0);
        }
    }

    @Test
    void configIsTheWebhooksUserTheBenchmarkedFlagsAndTheAdminPort() {
        JsonNode config = image.containerConfig();
        String uid = Images.property("faultline.sidecar.uid");

        assertThat(config.path("User").asText()).isEqualTo(uid + ":" + uid).isNotIn("0", "0:0", "root");
        assertThat(image.entrypoint()).containsExactly("/opt/java/bin/java",
                "-XX:SharedArchiveFile=/opt/faultline/faultline-sidecar.jsa", "-jar", "/opt/faultline/faultline-sidecar.jar");
        assertThat(config.path("WorkingDir").asText()).as("the AppCDS archive records the jar relative to /").isEqualTo("/");
        Map<String, String> env = image.env();
        assertThat(env).containsEntry("JDK_JAVA_OPTIONS", Images.property("faultline.sidecar.jvm.flags"))
                .containsEntry("MALLOC_ARENA_MAX", "2").containsEntry("JAVA_HOME", "/opt/java");
        assertThat(env.get("JDK_JAVA_OPTIONS")).contains("-XX:+UseSerialGC", "-Xmx64m", "-Xss256k", "-XX:MaxDirectMemorySize=",
                "-XX:TrimNativeHeapInterval=1000", "-XX:Tier4InvocationThreshold=50000");
        List<String> ports = new ArrayList<>();
        config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
        assertThat(ports).containsExactly("15000/tcp");
        assertThat(config.path("Labels").path("org.opencontainers.image.title").asText()).isEqualTo("faultline-sidecar");
        assertThat(config.path("Labels").path("io.faultline.image").asText() + ":"
                + config.path("Labels").path("org.opencontainers.image.version").asText())
                .isEqualTo(Images.property("faultline.image.sidecar"));
        assertThat(image.config.path("architecture").asText()).isEqualTo("amd64");
        assertThat(image.config.path("os").asText()).isEqualTo("linux");
    }

    @Test
    void rootFilesystemIsSmallOwnedByRootAndHasTheUser() throws IOException {
        long bytes = Images.treeSize(rootfs.root);
        System.out.printf("sidecar image: %s unpacked (%s), %s compressed in the archive%n", Images.mib(bytes),
                Images.sizesByDirectory(rootfs.root), Images.mib(image.compressedSize()));
        assertThat(bytes).as("sidecar image size").isLessThan(120L * 1024 * 1024);

        String uid = Images.property("faultline.sidecar.uid");
        assertThat(Files.readString(rootfs.root.resolve("etc/passwd"))).containsPattern("(?m)^faultline:x:" + uid + ":" + uid + ":");
        rootfs.entries.forEach((path, entry) -> {
            assertThat(entry.uid).as("owner of %s", path).isZero();
            assertThat(entry.mode & 06000).as("setuid/setgid bits of %s", path).isZero();
            if (!path.equals("/tmp")) {
                assertThat(entry.mode & 02).as("%s is not world-writable", path).isZero();
            }
        });
        assertThat(rootfs.entries.get("/opt/java/bin/java").mode).isEqualTo(0755);
        assertThat(rootfs.entries.get("/opt/faultline/faultline-sidecar.jsa").mode & 0444).isEqualTo(0444);
        assertThat(Files.readString(rootfs.root.resolve("usr/share/faultline/base-packages"))).contains("libc6 ");
    }

    @Test
    void answersReadyzAndProxiesTrafficWithFaults() throws Exception {
        Images.assumeRunnable();
        try (Container sidecar = Container.of(image, rootfs).args("--admin", "127.0.0.1:0")
                .log(Images.RUNS.resolve("sidecar/proxy.log")).start()) {
            String admin = sidecar.awaitLog(ADMIN, GENEROUS);
            awaitReady("http://" + admin + "/readyz");
            String uid = Images.property("faultline.sidecar.uid");
            assertThat(sidecar.status("Uid")).as("the process's real, effective, saved, fs uid").isEqualTo(String.join("\t", uid, uid, uid, uid));
            assertThat(sidecar.status("CapEff")).as("no capability").isEqualTo("0000000000000000");

            String config = """
                    {"version": "image-test", "listeners": [
                      {"name": "web", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:%d", "protocol": "http"}],
                     "rules": [
                      {"name": "broken", "listeners": ["web"], "match": {"path": "/broken"}, "abort": {"status": 503, "body": "injected"}},
                      {"name": "slow", "listeners": ["web"], "match": {"path": "/slow"}, "latency": {"fixed": "300ms"}}]}
                    """.formatted(upstream.getAddress().getPort());
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/v1/config"))
                    .timeout(GENEROUS).PUT(HttpRequest.BodyPublishers.ofString(config)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            JsonNode applied = ImageArchive.JSON.readTree(get("http://" + admin + "/v1/config").body());
            String bound = applied.path("listeners").get(0).path("bound").asText();
            assertThat(bound).startsWith("127.0.0.1:");

            HttpResponse<String> clean = get("http://" + bound + "/hello");
            assertThat(clean.statusCode()).isEqualTo(200);
            assertThat(clean.body()).isEqualTo("upstream saw /hello");

            HttpResponse<String> broken = get("http://" + bound + "/broken");
            assertThat(broken.statusCode()).isEqualTo(503);
            assertThat(broken.body()).isEqualTo("injected");

            long before = System.nanoTime();
            HttpResponse<String> slow = get("http://" + bound + "/slow");
            long tookMillis = (System.nanoTime() - before) / 1_000_000;
            assertThat(slow.body()).isEqualTo("upstream saw /slow");
            assertThat(tookMillis).as("the latency fault delays the request").isGreaterThanOrEqualTo(300);

            JsonNode stats = ImageArchive.JSON.readTree(get("http://" + admin + "/v1/stats").body());
            assertThat(stats.toString()).contains("\"broken\"").contains("\"slow\"");
            sidecar.stop(GENEROUS);
            assertThat(sidecar.log()).contains("config_applied").doesNotContain("LEAK").doesNotContain("Exception");
        }
    }

    @Test
    void mapsItsAppCdsArchive() throws Exception {
        Images.assumeRunnable();
        // -Xshare:on makes the JVM fail instead of silently running without the archive.
        try (Container version = Container.of(image, rootfs).env("JDK_JAVA_OPTIONS", image.env().get("JDK_JAVA_OPTIONS") + " -Xshare:on")
                .args("--version").log(Images.RUNS.resolve("sidecar/cds-on.log")).start()) {
            assertThat(version.awaitExit(GENEROUS)).as(version.log()).isZero();
            assertThat(version.log()).contains("faultline-sidecar");
        }
        try (Container classes = Container.of(image, rootfs).env("JDK_JAVA_OPTIONS", image.env().get("JDK_JAVA_OPTIONS")
                + " -Xlog:class+load=info:stdout").args("--version").log(Images.RUNS.resolve("sidecar/cds-classes.log")).start()) {
            assertThat(classes.awaitExit(GENEROUS)).isZero();
            long shared = classes.log().lines().filter(l -> l.contains("source: shared objects file")).count();
            long appShared = classes.log().lines().filter(l -> l.contains("io.faultline.sidecar") && l.contains("shared objects file")).count();
            System.out.printf("sidecar image: --version loads %d classes from the AppCDS archive (%d of the sidecar's own)%n", shared, appShared);
            assertThat(appShared).as("the sidecar's own classes come from the archive").isPositive();
        }
    }

    @Test
    void startToReadyWithAndWithoutAppCds() throws Exception {
        Images.assumeRunnable();
        int runs = Integer.getInteger("faultline.images.startRuns", 1);
        String flags = image.env().get("JDK_JAVA_OPTIONS");
        List<String> with = new ArrayList<>();
        List<String> without = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            with.add(startToReady(flags, "cds-" + i));
            without.add(startToReady(flags + " -Xshare:off", "nocds-" + i));
        }
        System.out.printf("sidecar image: start to /readyz 200 (wall, CPU of the process) with AppCDS %s; without %s%n", with, without);
    }

    private static String startToReady(String flags, String name) throws Exception {
        try (Container sidecar = Container.of(image, rootfs).env("JDK_JAVA_OPTIONS", flags).args("--admin", "127.0.0.1:0")
                .log(Images.RUNS.resolve("sidecar/start-" + name + ".log")).start()) {
            String admin = sidecar.awaitLog(ADMIN, GENEROUS);
            awaitReady("http://" + admin + "/readyz");
            long millis = (System.nanoTime() - sidecar.startNanos) / 1_000_000;
            String cpu = sidecar.cpuTime().toMillis() + " ms";
            sidecar.stop(GENEROUS);
            return millis + " ms/" + cpu;
        }
    }

    static void awaitReady(String url) throws Exception {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get(url).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError(url + " did not answer 200 within " + GENEROUS);
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

}
