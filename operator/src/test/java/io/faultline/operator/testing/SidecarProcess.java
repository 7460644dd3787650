package io.faultline.operator.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Faultline sidecar process (../sidecar/target/faultline-sidecar.jar) with its admin API on loopback. The
 * port is learned from the {@code admin_listening} line, as the contract says.
 */
public final class SidecarProcess implements AutoCloseable {
    public static final String TOKEN = "e2e-secret-token";
    private static final Pattern ADMIN_LISTENING = Pattern.compile("admin_listening address=127\\.0\\.0\\.1:(\\d+)");

    private final Path tokenFile;
    private final List<String> jvmFlags;
    private final List<String> output = new ArrayList<>();
    private Process process;
    private int adminPort;

    private SidecarProcess(Path tokenFile, List<String> jvmFlags) {
        this.tokenFile = tokenFile;
        this.jvmFlags = List.copyOf(jvmFlags);
    }

    /** Starts a sidecar on an ephemeral admin port ({@link SidecarJvmFlags#PLAIN} flags). */
    public static SidecarProcess start() throws IOException, InterruptedException {
        return start(SidecarJvmFlags.PLAIN);
    }

    /** Starts a sidecar on an ephemeral admin port with these JVM flags (e.g. the image's, {@link SidecarJvmFlags}). */
    public static SidecarProcess start(List<String> jvmFlags) throws IOException, InterruptedException {
        Path tokenFile = Files.createTempFile("faultline-token", ".txt");
        Files.writeString(tokenFile, TOKEN + "\n");
        SidecarProcess sidecar = new SidecarProcess(tokenFile, jvmFlags);
        sidecar.launch(0);
        return sidecar;
    }

    /** The jar under test; fails with a hint when the sidecar module was not packaged. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("sidecar.jar.under.test", "../sidecar/target/faultline-sidecar.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build the reactor (./mvnw verify) so that the"
                    + " sidecar module is packaged before the operator tests run");
        }
        return jar;
    }

    private void launch(int port) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", jar().toString(), "--admin", "127.0.0.1:" + port, "--admin-token-file", tokenFile.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        process = builder.start();
        CompletableFuture<Integer> portFound = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher matcher = ADMIN_LISTENING.matcher(line);
                    if (matcher.find()) {
                        portFound.complete(Integer.parseInt(matcher.group(1)));
                    }
                }
            } catch (IOException e) {
                // process ended
            }
            portFound.completeExceptionally(new IllegalStateException("sidecar exited without admin_listening: " + output()));
        }, "sidecar-output");
        reader.setDaemon(true);
        reader.start();
        try {
            adminPort = portFound.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("sidecar did not report admin_listening: " + output(), e);
        }
    }

    public int adminPort() {
        return adminPort;
    }

    /** The OS process id (e.g. to read its CPU time from /proc). */
    public long pid() {
        return process.pid();
    }

    /** Stops the process (like a crashed sidecar container). */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Starts the process again on the same admin port, with no config (like a restarted sidecar container). */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch(adminPort);
    }

    public String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException e) {
            // temp file
        }
    }
}
