package io.faultline.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A real sidecar process ({@code sidecar/target/faultline-sidecar.jar}) started with the arguments of a pod's
 * {@code faultline-sidecar} container; the admin port it bound is read from its {@code admin_listening} log line.
 */
final class SidecarProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<Integer> adminPort = new CompletableFuture<>();

    private SidecarProcess(Process process, Path log) {
        this.process = process;
        Thread pump = new Thread(() -> pump(log), "sidecar-" + process.pid());
        pump.setDaemon(true);
        pump.start();
    }

    static Path jar() {
        Path jar = Repo.ROOT.resolve("sidecar/target/faultline-sidecar.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the reactor (./mvnw verify) so that the sidecar is packaged");
        }
        return jar;
    }

    static SidecarProcess start(List<String> args, Path log) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-jar", jar().toString()));
        command.addAll(args);
        try {
            return new SidecarProcess(new ProcessBuilder(command).redirectErrorStream(true).start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the sidecar", e);
        }
    }

    private void pump(Path log) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                var file = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                file.write(line);
                file.newLine();
                file.flush();
                synchronized (output) {
                    output.add(line);
                }
                if (line.startsWith("{")) {
                    JsonNode event = JSON.readTree(line);
                    if ("admin_listening".equals(event.path("event").asText())) {
                        String address = event.path("address").asText();
                        adminPort.complete(Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)));
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        adminPort.completeExceptionally(new IllegalStateException("sidecar exited before admin_listening:\n" + output()));
    }

    int awaitAdminPort() {
        try {
            return adminPort.get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IllegalStateException("sidecar did not report admin_listening:\n" + output(), e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The versions of the configs this sidecar applied, in order (its config_applied log lines). */
    List<String> appliedVersions() {
        List<String> versions = new ArrayList<>();
        for (String line : outputLines()) {
            if (line.contains("\"event\":\"config_applied\"")) {
                try {
                    versions.add(JSON.readTree(line).path("version").asText());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return versions;
    }

    List<String> outputLines() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    String output() {
        synchronized (output) {
            return String.join("\n", output);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
