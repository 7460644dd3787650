import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lays out the root filesystem of one Faultline image under a directory, for Jib to put in a layer on {@code scratch}
 * (no base image can be pulled where Faultline is built, and none is needed):
 * <ul>
 *   <li>{@code java}: a jlink-ed Java runtime in {@code /opt/java} from the build's JDK, the C libraries it needs taken
 *       from Debian packages ({@code apt-get download}, unpacked with {@code dpkg-deb}), {@code /etc/passwd} with the
 *       image's user, the application, and (for the sidecar) an AppCDS archive dumped from a training run of the
 *       application on that very runtime, with the image's JVM flags;</li>
 *   <li>{@code debian}: a small set of Debian packages unpacked (the init image: {@code sh} and {@code iptables}).</li>
 * </ul>
 * Reproducible: the same JDK, application and package versions give the same files, byte for byte. The one step
 * that is not deterministic by itself, the CDS dump, is run with address-space randomization off ({@code setarch -R})
 * from a sorted class list. Jib then fixes every timestamp and owner.
 *
 * <p>Run by the images module's build ({@code java RootfsBuilder.java ...}, a single-file program, so that nothing
 * of it ends up in an image). Linux only: the runtime and libraries are the build machine's platform (x86-64).
 */
public class RootfsBuilder {
    /** The timestamp Jib gives every file: the application jar must carry it when the CDS archive records it. */
    static final FileTime IMAGE_FILE_TIME = FileTime.fromMillis(1000);
    static final String MULTIARCH = "x86_64-linux-gnu";

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        long start = System.nanoTime();
        for (Path dir : options.mkdirs) {
            Files.createDirectories(dir);
        }
        switch (options.kind) {
            case "java" -> javaImage(options);
            case "debian" -> debianImage(options);
            default -> throw new IllegalArgumentException("unknown image kind '" + options.kind + "': java or debian");
        }
        System.out.printf("rootfs %s: %s, %.1f MiB, %.1f s%n", options.name, options.out, size(options.out) / 1048576.0,
                (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------- java images

    static void javaImage(Options o) throws Exception {
        Path root = fresh(o.out);
        Path javaHome = root.resolve("opt/java");
        jlink(o, javaHome);

        // The C libraries the runtime links against, from Debian packages (not from whatever the build machine has).
        Path packages = unpackPackages(o, o.packages);
        for (String soname : sonamesNeeded(javaHome)) {
            copyLibrary(packages, root, soname);
        }
        copyLibrary(packages, root, "ld-linux-x86-64.so.2");
        placeFile(packages, root, "lib64/ld-linux-x86-64.so.2");
        copyCopyrights(packages, root, o.packages);
        writePackageList(root, o.cache, o.packages);

        etc(root, o);
        for (Map.Entry<String, Path> app : o.apps.entrySet()) {
            if (!Files.exists(app.getValue())) {
                throw new IllegalStateException(app.getValue() + " does not exist: build the images from the repository root"
                        + " (./mvnw -B package -Pimages), which builds the sidecar and the operator first");
            }
            Path target = root.resolve(stripSlash(app.getKey()));
            copyTree(app.getValue(), target);
        }
        touchTree(root.resolve("opt"), IMAGE_FILE_TIME);
        touchTree(root.resolve("deployments"), IMAGE_FILE_TIME);

        if (o.cdsArchive != null) {
            if (!"sidecar".equals(o.training)) {
                throw new IllegalArgumentException("--cds-archive needs --training sidecar (the only training run there is)");
            }
            dumpAppCds(o, root);
        }
    }

    static void step(String what) {
        System.out.printf("[rootfs] %s%n", what);
    }

    static void jlink(Options o, Path javaHome) throws Exception {
        step("jlink " + String.join(",", o.modules));
        Path jlink = o.jdk.resolve("bin/jlink");
        Path jmods = o.jdk.resolve("jmods");
        if (!Files.isDirectory(jmods)) {
            throw new IllegalStateException("the build's JDK " + o.jdk + " has no jmods/ directory: jlink needs a full JDK"
                    + " (on Debian: openjdk-17-jdk-headless)");
        }
        run(List.of(jlink.toString(), "--add-modules", String.join(",", o.modules), "--strip-debug", "--no-man-pages",
                "--no-header-files", "--output", javaHome.toString()), null, Duration.ofMinutes(5));
        // The JDK's own default CDS archive is not kept: the sidecar gets its own archive (JDK and application
        // classes in one), the operator runs without one.
        for (String unused : List.of("lib/server/classes.jsa", "lib/server/classes_nocoops.jsa", "release")) {
            Files.deleteIfExists(javaHome.resolve(unused));
        }
    }

    /** The sonames every ELF file of the runtime needs, outside the runtime itself (which finds its own by RPATH). */
    static TreeSet<String> sonamesNeeded(Path javaHome) throws Exception {
        TreeSet<String> own = new TreeSet<>();
        List<Path> elves = new ArrayList<>();
        try (var files = Files.walk(javaHome)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && isElf(file)) {
                    elves.add(file);
                    own.add(file.getFileName().toString());
                }
            }
        }
        TreeSet<String> needed = new TreeSet<>();
        for (Path elf : elves) {
            for (String soname : Elf.needed(elf)) {
                if (!own.contains(soname)) {
                    needed.add(soname);
                }
            }
        }
        return needed;
    }

    static void copyLibrary(Path packages, Path root, String soname) throws IOException {
        for (String dir : List.of("lib/" + MULTIARCH, "usr/lib/" + MULTIARCH)) {
            Path candidate = packages.resolve(dir).resolve(soname);
            if (Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                placeFile(packages, root, dir + "/" + soname);
                return;
            }
        }
        throw new IllegalStateException("no Debian package of the list provides " + soname + ": add its package to the"
                + " image's package list (dpkg -S " + soname + " names it)");
    }

    /** Copies a file of the unpacked packages to the same path in the rootfs, a symbolic link as the file it points to. */
    static void placeFile(Path packages, Path root, String relative) throws IOException {
        Path source = resolveInside(packages, packages.resolve(relative));
        Path target = root.resolve(relative);
        Files.createDirectories(target.getParent());
        Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        target.toFile().setExecutable(source.toFile().canExecute(), false);
    }

    /** Follows symbolic links the way the image's own root would: absolute targets are inside {@code root}. */
    static Path resolveInside(Path root, Path path) throws IOException {
        for (int hops = 0; hops < 40; hops++) {
            if (!Files.isSymbolicLink(path)) {
                Path parent = path.getParent();
                if (parent != null && !parent.equals(root) && parent.startsWith(root)) {
                    Path resolvedParent = resolveInside(root, parent);
                    if (!resolvedParent.equals(parent)) {
                        return resolveInside(root, resolvedParent.resolve(path.getFileName()));
                    }
                }
                return path;
            }
            Path link = Files.readSymbolicLink(path);
            path = link.isAbsolute() ? root.resolve(stripSlash(link.toString())) : path.getParent().resolve(link).normalize();
        }
        throw new IOException("too many symbolic links at " + path);
    }

    static void etc(Path root, Options o) throws IOException {
        Path etc = Files.createDirectories(root.resolve("etc"));
        String user = o.userName + ":x:" + o.uid + ":" + o.uid + ":" + o.userName + ":/nonexistent:/sbin/nologin\n";
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/sbin/nologin\n"
                + (o.uid == 0 ? "" : user));
        Files.writeString(etc.resolve("group"), "root:x:0:\n" + (o.uid == 0 ? "" : o.userName + ":x:" + o.uid + ":\n"));
        // glibc's resolver: /etc/hosts first (Kubernetes writes it), then DNS (resolv.conf, also the runtime's).
        Files.writeString(etc.resolve("nsswitch.conf"), "hosts: files dns\nnetworks: files\n");
        // The JVM and Netty's native transport write to /tmp; Kubernetes mounts an emptyDir there (read-only root).
        Files.createDirectories(root.resolve("tmp"));
    }

    // ---------------------------------------------------------------- the sidecar's AppCDS archive

    /**
     * Trains on the image's own runtime, jar and flags: starts the sidecar with an HTTP and a TCP listener in front of
     * an upstream this program serves, sends traffic through both, reads the admin API, applies a config change, stops
     * it with SIGTERM. Then dumps a static archive (JDK and application classes) of the classes loaded, in sorted
     * order, with address-space randomization off: the same inputs give the same archive, byte for byte.
     */
    static void dumpAppCds(Options o, Path root) throws Exception {
        step("AppCDS training run");
        Path work = Files.createDirectories(o.work);
        Path classList = work.resolve(o.name + ".classlist");
        Path java = root.resolve("opt/java/bin/java");
        String jar = stripSlash(o.jar); // relative to the root: the archive records it, and the image runs from "/"
        Files.deleteIfExists(classList);

        try (Upstream upstream = new Upstream()) {
            Path config = work.resolve(o.name + "-training.yaml");
            Files.writeString(config, """
                    version: "training-1"
                    listeners:
                      - {name: web, listen: 127.0.0.1:0, upstream: 127.0.0.1:%1$d, protocol: http}
                      - {name: raw, listen: 127.0.0.1:0, upstream: 127.0.0.1:%1$d}
                    rules:
                      - name: slow-search
                        listeners: [web]
                        match: {path: /search}
                        latency: {fixed: 1ms}
                      - name: broken-checkout
                        listeners: [web]
                        match: {path: /checkout}
                        abort: {status: 503}
                      - name: thin-pipe
                        listeners: [raw]
                        bandwidth: {rate: 10MiB}
                    """.formatted(upstream.port()));
            List<String> command = new ArrayList<>(List.of(java.toString()));
            command.addAll(o.jvmFlags);
            command.addAll(List.of("-Xshare:off", "-XX:DumpLoadedClassList=" + classList, "-jar", jar,
                    "--config", config.toString(), "--admin", "127.0.0.1:0", "--log-format", "text"));
            ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
            cleanJavaEnv(builder);
            Process sidecar = builder.start();
            StringBuilder log = new StringBuilder();
            try {
                String admin = awaitLine(sidecar, log, Pattern.compile("admin_listening address=(\\S+)"), Duration.ofSeconds(120));
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
                awaitReady(http, "http://" + admin + "/readyz", Duration.ofSeconds(60));
                String configJson = get(http, "http://" + admin + "/v1/config");
                int web = boundPort(configJson, "web");
                int raw = boundPort(configJson, "raw");
                for (int i = 0; i < 20; i++) {
                    get(http, "http://127.0.0.1:" + web + "/search?q=" + i);
                    get(http, "http://127.0.0.1:" + web + "/checkout");
                    get(http, "http://127.0.0.1:" + web + "/");
                }
                for (int i = 0; i < 5; i++) {
                    rawHttp(raw);
                }
                get(http, "http://" + admin + "/metrics");
                get(http, "http://" + admin + "/v1/stats");
                String changed = configJson.replace("training-1", "training-2");
                HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/v1/config"))
                        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(stripBound(changed))).build(), HttpResponse.BodyHandlers.ofString());
                if (put.statusCode() != 200) {
                    throw new IllegalStateException("training: PUT /v1/config answered " + put.statusCode() + ": " + put.body());
                }
                get(http, "http://127.0.0.1:" + web + "/search?q=after-change");
            } catch (Exception e) {
                sidecar.destroyForcibly();
                throw new IllegalStateException("training run of the sidecar failed: " + e.getMessage() + "\n--- its output:\n" + log, e);
            }
            sidecar.destroy(); // SIGTERM: the shutdown path is trained too
            if (!sidecar.waitFor(60, TimeUnit.SECONDS)) {
                sidecar.destroyForcibly();
                throw new IllegalStateException("the sidecar did not stop within 60 s of SIGTERM\n" + log);
            }
        }

        Path sorted = work.resolve(o.name + ".sorted.classlist");
        Files.write(sorted, sortedClassList(Files.readAllLines(classList)));

        Path archive = root.resolve(stripSlash(o.cdsArchive));
        Files.deleteIfExists(archive);
        step("AppCDS dump");
        List<String> dump = new ArrayList<>(List.of("setarch", "x86_64", "-R", java.toString()));
        dump.addAll(o.jvmFlags);
        dump.addAll(List.of("-Xshare:dump", "-XX:SharedClassListFile=" + sorted, "-XX:SharedArchiveFile=" + stripSlash(o.cdsArchive),
                "-cp", jar));
        String out = run(dump, root, Duration.ofMinutes(5));
        Files.writeString(work.resolve(o.name + "-cds-dump.log"), out);
        if (!Files.isRegularFile(archive)) {
            throw new IllegalStateException("the CDS dump wrote no archive at " + archive + ":\n" + out);
        }
        archive.toFile().setWritable(true, true);
        Files.setLastModifiedTime(archive, IMAGE_FILE_TIME);
    }

    /** Plain class names sorted, then the lambda lines sorted: the set is what a start loads, the order fixed. */
    static List<String> sortedClassList(List<String> lines) {
        TreeSet<String> classes = new TreeSet<>();
        TreeSet<String> lambdas = new TreeSet<>();
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            (line.startsWith("@") ? lambdas : classes).add(line);
        }
        List<String> out = new ArrayList<>(classes);
        out.addAll(lambdas);
        return out;
    }

    static int boundPort(String configJson, String listener) {
        Matcher m = Pattern.compile("\"name\"\\s*:\\s*\"" + listener + "\".*?\"bound\"\\s*:\\s*\"[^\"]*:(\\d+)\"", Pattern.DOTALL)
                .matcher(configJson);
        if (!m.find()) {
            throw new IllegalStateException("no bound address for listener " + listener + " in " + configJson);
        }
        return Integer.parseInt(m.group(1));
    }

    static String stripBound(String configJson) {
        return configJson.replaceAll(",?\\s*\"bound\"\\s*:\\s*\"[^\"]*\"", "");
    }

    static void rawHttp(int port) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write("GET /raw HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().readAllBytes();
        }
    }

    /** A tiny HTTP/1.1 upstream for the training run (one response per connection keeps it trivial). */
    static final class Upstream implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;

        Upstream() throws IOException {
            server = new ServerSocket();
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            thread = new Thread(this::serve, "training-upstream");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    CompletableFuture.runAsync(() -> answer(socket));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private static void answer(Socket socket) {
            try (socket) {
                socket.setSoTimeout(30_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                var out = socket.getOutputStream();
                String line;
                while ((line = in.readLine()) != null) {
                    if (!line.startsWith("GET ")) {
                        continue;
                    }
                    boolean close = false;
                    while ((line = in.readLine()) != null && !line.isEmpty()) {
                        close |= line.equalsIgnoreCase("connection: close");
                    }
                    out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    if (close) {
                        return;
                    }
                }
            } catch (IOException ignored) {
                // the client went away
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    // ---------------------------------------------------------------- debian images

    static void debianImage(Options o) throws Exception {
        Path root = fresh(o.out);
        Path packages = unpackPackages(o, o.packages);
        try (var files = Files.walk(packages)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String relative = packages.relativize(file).toString();
                if (relative.isEmpty() || Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS) || excluded(relative, o.exclude)) {
                    continue;
                }
                Path resolved = resolveInside(packages, file);
                if (!Files.exists(resolved) || Files.isDirectory(resolved)) {
                    continue; // a link to something outside the package set, or to a directory: not needed here
                }
                placeFile(packages, root, relative);
            }
        }
        for (Map.Entry<String, String> link : o.links.entrySet()) {
            // name=target: the image has no symbolic links (Jib copies files), so a "link" is a copy
            Path target = resolveInside(root, root.resolve(stripSlash(link.getValue())));
            Path name = root.resolve(stripSlash(link.getKey()));
            Files.createDirectories(name.getParent());
            Files.copy(target, name, StandardCopyOption.REPLACE_EXISTING);
            name.toFile().setExecutable(true, false);
        }
        copyCopyrights(packages, root, o.packages);
        writePackageList(root, o.cache, o.packages);
        etc(root, o);
        Files.createDirectories(root.resolve("run")); // iptables takes its lock there
    }

    static boolean excluded(String relative, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (relative.equals(prefix) || relative.startsWith(prefix + "/")) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- Debian packages

    /** Downloads (once per version, into the cache) and unpacks the packages into one tree. */
    static Path unpackPackages(Options o, List<String> names) throws Exception {
        step("Debian packages " + String.join(" ", names));
        Path cache = Files.createDirectories(o.cache);
        Path tree = fresh(o.work.resolve(o.name + "-packages"));
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            if (debOf(cache, name) == null) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            List<String> download = new ArrayList<>(List.of("apt-get", "download", "-q"));
            download.addAll(missing);
            try {
                run(download, cache, Duration.ofMinutes(5));
            } catch (Exception e) {
                throw new IllegalStateException("could not download the Debian packages " + missing + " (apt-get download, run in "
                        + cache + "). Building the images needs a Debian or Ubuntu machine whose package lists are current:"
                        + " run 'apt-get update' first.\n" + e.getMessage(), e);
            }
        }
        for (String name : names) {
            Path deb = debOf(cache, name);
            if (deb == null) {
                throw new IllegalStateException("apt-get download gave no .deb for " + name + " in " + cache);
            }
            run(List.of("dpkg-deb", "-x", deb.toString(), tree.toString()), null, Duration.ofMinutes(2));
        }
        return tree;
    }

    /** The newest cached .deb of a package (the cache may keep an older version after an update). */
    static Path debOf(Path cache, String name) throws IOException {
        try (var files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().startsWith(name + "_") && f.toString().endsWith(".deb"))
                    .max((a, b) -> Long.compare(a.toFile().lastModified(), b.toFile().lastModified())).orElse(null);
        }
    }

    static void copyCopyrights(Path packages, Path root, List<String> names) throws IOException {
        for (String name : names) {
            Path copyright = packages.resolve("usr/share/doc/" + name + "/copyright");
            if (Files.isRegularFile(copyright)) {
                Path target = root.resolve("usr/share/doc/" + name + "/copyright");
                Files.createDirectories(target.getParent());
                Files.copy(copyright, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** {@code /usr/share/faultline/base-packages}: which Debian packages (name and version) the image's files came from. */
    static void writePackageList(Path root, Path cache, List<String> names) throws Exception {
        StringBuilder list = new StringBuilder();
        for (String name : new TreeSet<>(names)) {
            Path deb = debOf(cache, name);
            list.append(name).append(' ').append(deb == null ? "?" : deb.getFileName().toString()
                    .replaceFirst("^" + Pattern.quote(name) + "_", "").replaceFirst("\\.deb$", "").replace("%3a", ":")).append('\n');
        }
        Path target = root.resolve("usr/share/faultline/base-packages");
        Files.createDirectories(target.getParent());
        Files.writeString(target, list.toString());
    }

    // ---------------------------------------------------------------- ELF

    static boolean isElf(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    /** DT_NEEDED entries of a 64-bit little-endian ELF file (what ldd would follow first), read without running it. */
    static final class Elf {
        static List<String> needed(Path file) throws IOException {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (b.get(4) != 2 || b.get(5) != 1) {
                throw new IOException(file + ": not a 64-bit little-endian ELF file");
            }
            long shoff = b.getLong(0x28);
            int shentsize = Short.toUnsignedInt(b.getShort(0x3A));
            int shnum = Short.toUnsignedInt(b.getShort(0x3C));
            List<String> needed = new ArrayList<>();
            for (int i = 0; i < shnum; i++) {
                int sh = (int) (shoff + (long) i * shentsize);
                if (b.getInt(sh + 4) != 6) { // SHT_DYNAMIC
                    continue;
                }
                long offset = b.getLong(sh + 0x18);
                long size = b.getLong(sh + 0x20);
                int link = b.getInt(sh + 0x28); // the string table of the dynamic section
                int strsh = (int) (shoff + (long) link * shentsize);
                long stroff = b.getLong(strsh + 0x18);
                for (long d = offset; d + 16 <= offset + size; d += 16) {
                    long tag = b.getLong((int) d);
                    if (tag == 0) {
                        break;
                    }
                    if (tag == 1) { // DT_NEEDED
                        needed.add(cString(b, (int) (stroff + b.getLong((int) d + 8))));
                    }
                }
            }
            return needed;
        }

        private static String cString(java.nio.ByteBuffer b, int at) {
            int end = at;
            while (b.get(end) != 0) {
                end++;
            }
            byte[] bytes = new byte[end - at];
            b.get(at, bytes);
            return new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    // ---------------------------------------------------------------- helpers

    static String awaitLine(Process process, StringBuilder log, Pattern pattern, Duration timeout) throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    synchronized (log) {
                        log.append(line).append('\n');
                    }
                    Matcher m = pattern.matcher(line);
                    if (m.find()) {
                        found.complete(m.group(1));
                    }
                }
                found.completeExceptionally(new IllegalStateException("the process ended (exit " + process.waitFor() + ")"));
            } catch (Exception e) {
                found.completeExceptionally(e);
            }
        }, "training-output");
        reader.setDaemon(true);
        reader.start();
        return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    static void awaitReady(HttpClient http, String url, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(url + " did not answer 200 within " + timeout);
            }
            Thread.sleep(50);
        }
    }

    static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    static void cleanJavaEnv(ProcessBuilder builder) {
        builder.environment().keySet().removeAll(List.of("JDK_JAVA_OPTIONS", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "CLASSPATH"));
    }

    static String run(List<String> command, Path dir, Duration timeout) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            builder.directory(dir.toFile());
        }
        cleanJavaEnv(builder);
        Process process = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + ": still running after " + timeout);
        }
        String out = output.get();
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + ": exit " + process.exitValue() + "\n" + out);
        }
        return out;
    }

    static Path fresh(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    file.toFile().setWritable(true, true);
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    d.toFile().setWritable(true, true);
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    d.toFile().setWritable(true, true);
                    return FileVisitResult.CONTINUE;
                }
            });
        }
        return Files.createDirectories(dir);
    }

    static void copyTree(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (var files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path to = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(to);
                } else {
                    Files.createDirectories(to.getParent());
                    Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    static void touchTree(Path dir, FileTime time) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.setLastModifiedTime(file, time);
            }
        }
    }

    static long size(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    static String stripSlash(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** Command line: {@code <kind> --name N --out DIR --work DIR --cache DIR [...]}. */
    static final class Options {
        String kind;
        String name;
        Path out;
        Path work;
        Path cache;
        Path jdk = Path.of(System.getProperty("java.home"));
        List<String> modules = new ArrayList<>();
        List<String> packages = new ArrayList<>();
        List<String> exclude = new ArrayList<>();
        Map<String, String> links = new LinkedHashMap<>();
        Map<String, Path> apps = new TreeMap<>();
        List<String> jvmFlags = new ArrayList<>();
        long uid;
        String userName = "nonroot";
        String jar;
        String cdsArchive;
        String training;
        List<Path> mkdirs = new ArrayList<>();

        static Options parse(String[] args) {
            Options o = new Options();
            o.kind = args[0];
            for (int i = 1; i < args.length; i += 2) {
                String value = args[i + 1].strip();
                switch (args[i]) {
                    case "--name" -> o.name = value;
                    case "--out" -> o.out = Path.of(value).toAbsolutePath();
                    case "--work" -> o.work = Path.of(value).toAbsolutePath();
                    case "--cache" -> o.cache = Path.of(value).toAbsolutePath();
                    case "--jdk" -> o.jdk = Path.of(value);
                    case "--modules" -> o.modules = split(value);
                    case "--packages" -> o.packages = split(value);
                    case "--exclude" -> o.exclude = split(value);
                    case "--link" -> o.links.put(value.substring(0, value.indexOf('=')), value.substring(value.indexOf('=') + 1));
                    case "--app" -> o.apps.put(value.substring(value.indexOf('=') + 1), Path.of(value.substring(0, value.indexOf('='))));
                    case "--jvm-flags" -> o.jvmFlags = Arrays.asList(value.split("\\s+"));
                    case "--uid" -> o.uid = Long.parseLong(value);
                    case "--user" -> o.userName = value;
                    case "--jar" -> o.jar = value;
                    case "--cds-archive" -> o.cdsArchive = value;
                    case "--training" -> o.training = value;
                    case "--mkdir" -> o.mkdirs.add(Path.of(value));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return o;
        }

        private static List<String> split(String value) {
            List<String> out = new ArrayList<>();
            for (String part : value.split("[,\\s]+")) {
                if (!part.isBlank()) {
                    out.add(part.strip());
                }
            }
            return out;
        }
    }
}
