package io.faultline.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs an unpacked image's entrypoint for real, the way a container runtime would, with util-linux only: a fresh
 * mount and PID namespace ({@code unshare}), {@code /proc}, a tmpfs {@code /tmp} (the chart's and the webhook's
 * emptyDir), a minimal {@code /dev}, the host's {@code /etc/hosts} and {@code resolv.conf} (Kubernetes mounts its own),
 * then {@code unshare --root --wd --setuid --setgid} into the image's root, working directory and user, with only the
 * image's environment. Optionally a fresh network namespace too. Needs root.
 */
final class Container implements AutoCloseable {
    private final Process process;
    private final Path log;
    final long startNanos;

    private Container(Process process, Path log, long startNanos) {
        this.process = process;
        this.log = log;
        this.startNanos = startNanos;
    }

    static Builder of(ImageArchive image, ImageArchive.Unpacked rootfs) {
        return new Builder(image, rootfs.root);
    }

    /** Why these tests cannot run here, or empty when they can. */
    static Optional<String> unavailable() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("running an image's root filesystem needs root (mount and PID namespaces, chroot); user is "
                    + System.getProperty("user.name"));
        }
        for (String tool : List.of("unshare", "mount", "env", "sh", "setpriv")) {
            if (!onPath(tool)) {
                return Optional.of("'" + tool + "' (util-linux / coreutils) is not on the PATH");
            }
        }
        return Optional.empty();
    }

    private static boolean onPath(String tool) {
        return which(tool) != null;
    }

    /** The host's program of that name (the container's PATH must not decide which one the host runs). */
    static String which(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return Path.of(dir, tool).toString();
            }
        }
        return null;
    }

    static final class Builder {
        private final ImageArchive image;
        private final Path root;
        private final Map<String, String> env;
        private List<String> entrypoint;
        private final List<String> args = new ArrayList<>();
        private final List<String[]> binds = new ArrayList<>();
        private boolean ownNetwork;
        private String capabilities;
        private Path log;

        private Builder(ImageArchive image, Path root) {
            this.image = image;
            this.root = root;
            this.env = new LinkedHashMap<>(image.env());
            this.entrypoint = image.entrypoint();
        }

        Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Replaces the entrypoint, as a pod's {@code command} does. */
        Builder command(List<String> command) {
            this.entrypoint = List.copyOf(command);
            return this;
        }

        Builder args(String... more) {
            args.addAll(List.of(more));
            return this;
        }

        /** Binds a host file or directory at a path of the container, read-only. */
        Builder bind(Path host, String inContainer) {
            binds.add(new String[] {host.toAbsolutePath().toString(), inContainer});
            return this;
        }

        Builder ownNetwork() {
            this.ownNetwork = true;
            return this;
        }

        /** Limits the capabilities to these (setpriv's bounding-set syntax, e.g. {@code +net_admin,+net_raw}). */
        Builder capabilities(String allowed) {
            this.capabilities = allowed;
            return this;
        }

        Builder log(Path file) {
            this.log = file;
            return this;
        }

        Container start() throws IOException {
            JsonUser user = JsonUser.parse(image.containerConfig().path("User").asText("0:0"));
            String workingDir = image.containerConfig().path("WorkingDir").asText("/");
            if (workingDir.isEmpty()) {
                workingDir = "/";
            }
            for (String dir : List.of("proc", "dev", "tmp", "etc")) {
                Files.createDirectories(root.resolve(dir));
            }
            StringBuilder script = new StringBuilder("set -e\nr=").append(quote(root.toString())).append('\n');
            script.append("mount -t proc proc \"$r/proc\"\n");
            script.append("mount -t tmpfs -o mode=1777,size=64m tmpfs \"$r/tmp\"\n");
            script.append("mount -t tmpfs -o mode=755,size=1m tmpfs \"$r/dev\"\n");
            script.append("for d in null zero full random urandom; do touch \"$r/dev/$d\"; mount --bind \"/dev/$d\" \"$r/dev/$d\"; done\n");
            script.append("for f in hosts resolv.conf; do if [ -e \"/etc/$f\" ]; then touch \"$r/etc/$f\";"
                    + " mount --bind \"/etc/$f\" \"$r/etc/$f\"; fi; done\n");
            for (String[] bind : binds) {
                String target = "$r" + quote(bind[1]);
                if (Files.isDirectory(Path.of(bind[0]))) {
                    script.append("mkdir -p ").append(target).append('\n');
                } else {
                    script.append("mkdir -p \"$(dirname ").append(target).append(")\"; touch ").append(target).append('\n');
                }
                script.append("mount --bind ").append(quote(bind[0])).append(' ').append(target).append('\n');
                script.append("mount -o remount,bind,ro ").append(target).append('\n');
            }
            if (ownNetwork) {
                script.append("ip link set lo up 2>/dev/null || true\n");
            }
            List<String> exec = new ArrayList<>(List.of("exec", "env", "-i"));
            env.forEach((k, v) -> exec.add(k + "=" + v));
            if (capabilities != null) {
                // the bounding set decides what root keeps across exec; sys_chroot only for unshare --root below
                exec.addAll(List.of(which("setpriv"), "--no-new-privs", "--bounding-set=-all," + capabilities + ",+sys_chroot"));
            }
            exec.addAll(List.of(which("unshare"), "--root=" + root, "--wd=" + workingDir));
            if (user.uid != 0) {
                exec.addAll(List.of("--setgid=" + user.gid, "--setuid=" + user.uid));
            }
            exec.addAll(entrypoint);
            exec.addAll(args);
            StringBuilder line = new StringBuilder();
            for (String part : exec) {
                line.append(part.equals("exec") ? part : quote(part)).append(' ');
            }
            script.append(line).append('\n');

            List<String> command = new ArrayList<>(List.of("unshare", "--mount", "--pid", "--fork", "--kill-child",
                    "--propagation", "private"));
            if (ownNetwork) {
                command.add("--net");
            }
            command.addAll(List.of("sh", "-c", script.toString()));
            Path logFile = log != null ? log : Files.createTempFile("container", ".log");
            Files.createDirectories(logFile.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(logFile.toFile());
            long start = System.nanoTime();
            return new Container(builder.start(), logFile, start);
        }
    }

    record JsonUser(long uid, long gid) {
        static JsonUser parse(String user) {
            if (user.isEmpty()) {
                return new JsonUser(0, 0);
            }
            String[] parts = user.split(":");
            long uid = Long.parseLong(parts[0]);
            return new JsonUser(uid, parts.length > 1 ? Long.parseLong(parts[1]) : uid);
        }
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Waits for a line of the container's output matching {@code pattern}; returns its first group. */
    String awaitLog(Pattern pattern, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = pattern.matcher(log());
            if (m.find()) {
                return m.groupCount() > 0 ? m.group(1) : m.group();
            }
            if (!process.isAlive()) {
                throw new AssertionError("the container exited (" + process.exitValue() + ") before logging " + pattern + ":\n" + log());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no line matching " + pattern + " within " + timeout + ":\n" + log());
    }

    /** The entrypoint's process (PID 1 of the container's PID namespace), as seen from the host. */
    ProcessHandle payload() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> child = process.toHandle().children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the container's process did not appear:\n" + log());
    }

    /** A line of /proc/PID/status of the entrypoint's process, e.g. "Uid". */
    String status(String field) throws IOException, InterruptedException {
        for (String line : Files.readAllLines(Path.of("/proc/" + payload().pid() + "/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new AssertionError("no " + field + " in /proc/PID/status");
    }

    /** User + system CPU time the entrypoint's process used so far. */
    Duration cpuTime() throws IOException, InterruptedException {
        String stat = Files.readString(Path.of("/proc/" + payload().pid() + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14, 15)
        return Duration.ofMillis(ticks * 10); // USER_HZ = 100
    }

    Process process() {
        return process;
    }

    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the container did not exit within " + timeout + ":\n" + log());
        }
        return process.exitValue();
    }

    /** SIGTERM to the entrypoint's process (as the kubelet does), then waits for the container to end. */
    int stop(Duration timeout) throws InterruptedException {
        process.toHandle().children().forEach(ProcessHandle::destroy);
        return awaitExit(timeout);
    }

    @Override
    public void close() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
