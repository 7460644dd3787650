package io.faultline.sidecar.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real sidecar jar in a child process (paranoid leak detection on): waits for the admin API,
 * collects every output line, and fails {@link #close()} when Netty reported a leak.
 */
public final class SidecarProcess implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("admin_listening\"?[ ,]\"?address\"?[=:]\"?([0-9.:\\[\\]]+)");
    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private volatile String adminAddress;

    private SidecarProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    Matcher m = ADMIN.matcher(line);
                    if (m.find()) {
                        adminAddress = m.group(1);
                    }
                }
            } catch (Exception ignored) {
                // process ended
            }
        }, "sidecar-output");
        reader.setDaemon(true);
        reader.start();
    }

    public static Path jar() {
        String path = System.getProperty("faultline.sidecar.jar", "target/faultline-sidecar.jar");
        Path jar = Path.of(path);
        if (!Files.exists(jar)) {
            throw new IllegalStateException("sidecar jar not found at " + jar.toAbsolutePath()
                    + "; run the tests with ./mvnw verify (integration tests run after package)");
        }
        return jar;
    }

    public static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Dio.netty.leakDetection.level=paranoid");
        cmd.add("-jar");
        cmd.add(jar().toAbsolutePath().toString());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** Starts the sidecar and waits until its admin API listens. */
    public static SidecarProcess start(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        SidecarProcess sidecar = new SidecarProcess(p);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sidecar.adminAddress == null) {
            if (!p.isAlive()) {
                throw new AssertionError("sidecar exited with " + p.exitValue() + ":\n" + String.join("\n", sidecar.lines));
            }
            if (System.nanoTime() > deadline) {
                sidecar.close();
                throw new AssertionError("sidecar did not start in 20 s:\n" + String.join("\n", sidecar.lines));
            }
            Thread.sleep(10);
        }
        return sidecar;
    }

    /** Runs the sidecar to completion (for flags that make it exit) and returns exit code and output. */
    public static Result run(String... args) throws Exception {
        Process p = new ProcessBuilder(command(args)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sidecar did not exit: " + out);
        }
        return new Result(p.exitValue(), out);
    }

    public record Result(int exitCode, String output) {
    }

    public String adminUrl() {
        return "http://" + adminAddress;
    }

    public List<String> lines() {
        return lines;
    }

    /** The bound address a listener reported in its listener_bound line. */
    public int listenerPort(String name) throws Exception {
        Pattern p = Pattern.compile("listener_bound name=" + Pattern.quote(name) + " address=\\S+:(\\d+)");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (String line : lines) {
                Matcher m = p.matcher(line);
                if (m.find()) {
                    return Integer.parseInt(m.group(1));
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no listener_bound line for " + name + ":\n" + String.join("\n", lines));
    }

    public static Path tempFile(String content) throws Exception {
        File f = File.createTempFile("faultline-test", ".yaml");
        f.deleteOnExit();
        Files.writeString(f.toPath(), content);
        return f.toPath();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (String line : lines) {
            if (line.contains("LEAK:")) {
                throw new AssertionError("the sidecar process reported a buffer leak:\n" + String.join("\n", lines));
            }
        }
    }
}
