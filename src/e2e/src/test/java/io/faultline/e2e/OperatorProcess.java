package io.faultline.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged operator ({@code operator/target/quarkus-app/quarkus-run.jar}) as a process, as its Deployment runs it:
 * the prod profile (server-side apply, leader election), the Deployment's environment, authenticated as its
 * ServiceAccount by a kubeconfig with that account's token. What differs from a pod is only where it listens: the
 * webhook and the HTTP port on 127.0.0.1, ephemeral ports, the serving certificate also for 127.0.0.1.
 */
final class OperatorProcess implements AutoCloseable {
    private static final Pattern HTTP_LISTENING = Pattern.compile("Listening on: (http://127\\.0\\.0\\.1:\\d+)");
    private static final Pattern WEBHOOK_LISTENING = Pattern.compile("injection webhook listening on (https://127\\.0\\.0\\.1:\\d+/\\S+)");

    private final String name;
    private final Process process;
    private final Path log;
    private final List<String> lines = new ArrayList<>();
    private final CompletableFuture<String> webhookUrl = new CompletableFuture<>();
    private final CompletableFuture<String> httpUrl = new CompletableFuture<>();
    private final CompletableFuture<Void> outputEnded = new CompletableFuture<>();

    private OperatorProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Path jar() {
        Path jar = Repo.ROOT.resolve("operator/target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: build the reactor (./mvnw verify) so that the operator is"
                    + " packaged before the e2e tests run");
        }
        return jar;
    }

    /**
     * Starts an operator named {@code name} (its HOSTNAME, as a pod's name would be) with the Deployment's environment
     * plus {@code extraEnv}.
     */
    static OperatorProcess start(String name, Path kubeconfig, Map<String, String> deploymentEnv, Map<String, String> extraEnv,
            Path dir) {
        Map<String, String> env = new LinkedHashMap<>(deploymentEnv);
        env.put("HOSTNAME", name);
        env.put("KUBECONFIG", kubeconfig.toString());
        env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
        env.put("QUARKUS_HTTP_PORT", "0");
        env.put("FAULTLINE_WEBHOOK_HOST", "127.0.0.1");
        env.put("FAULTLINE_WEBHOOK_PORT", "0");
        env.put("FAULTLINE_WEBHOOK_IP_ADDRESSES", "127.0.0.1");
        // the chart's memory limit (512Mi) with its MaxRAMPercentage=70, as the container would see it
        env.put("JDK_JAVA_OPTIONS", deploymentEnv.getOrDefault("JDK_JAVA_OPTIONS", "") + " -Xmx358m");
        env.putAll(extraEnv);
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar().toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        builder.environment().keySet().removeIf(key -> key.startsWith("KUBERNETES_") || key.startsWith("QUARKUS_")
                || key.startsWith("FAULTLINE_") || key.equals("KUBECONFIG"));
        builder.environment().putAll(env);
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve(name + ".log");
            OperatorProcess operator = new OperatorProcess(name, builder.start(), log);
            operator.pumpOutput();
            return operator;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the operator", e);
        }
    }

    private void pumpOutput() {
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    PrintWriter file = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                    file.println(line);
                    file.flush();
                    synchronized (lines) {
                        lines.add(line);
                        lines.notifyAll();
                    }
                    Matcher matcher = WEBHOOK_LISTENING.matcher(line);
                    if (matcher.find()) {
                        webhookUrl.complete(matcher.group(1));
                    }
                    Matcher http = HTTP_LISTENING.matcher(line);
                    if (http.find()) {
                        httpUrl.complete(http.group(1));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            webhookUrl.completeExceptionally(new IllegalStateException("operator " + name + " ended before its webhook listened; log: " + log));
            synchronized (lines) {
                lines.notifyAll();
            }
            outputEnded.complete(null);
        }, "operator-" + name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The webhook's URL once it listens (certificates bootstrapped). */
    String webhookUrl(Duration timeout) {
        try {
            return webhookUrl.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("operator " + name + " did not start its webhook within " + timeout + "; log " + log
                    + ":\n" + tail(40), e);
        }
    }

    /** The value of a counter on /q/metrics (summed over the series matching {@code seriesPrefix}), 0 when absent. */
    double metric(String seriesPrefix) {
        try {
            String base = httpUrl.get(3, TimeUnit.MINUTES);
            var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(base + "/q/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            double sum = 0;
            for (String line : response.body().split("\n")) {
                if (line.startsWith(seriesPrefix)) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return sum;
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the metrics of operator " + name, e);
        }
    }

    /** Waits for a log line matching {@code test}; false on timeout or exit. */
    boolean awaitLine(Predicate<String> test, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        synchronized (lines) {
            while (true) {
                for (; seen < lines.size(); seen++) {
                    if (test.test(lines.get(seen))) {
                        return true;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || (!process.isAlive() && seen == lines.size())) {
                    return false;
                }
                lines.wait(Math.min(TimeUnit.NANOSECONDS.toMillis(left) + 1, 500));
            }
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    String tail(int count) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - count), all.size()));
    }

    Path log() {
        return log;
    }

    /** SIGTERM, as the kubelet stops a container; the time it took to exit, or empty when it did not within {@code grace}. */
    java.util.Optional<Duration> terminate(Duration grace) throws InterruptedException {
        long started = System.nanoTime();
        // the handle's destroy sends SIGTERM and leaves the output open (Process.destroy closes it at once, and every
        // line the operator writes while it shuts down would be lost)
        process.toHandle().destroy();
        if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            awaitOutputEnd();
            return java.util.Optional.of(took);
        }
        return java.util.Optional.empty();
    }

    /** SIGKILL: a crashed process or a lost node. */
    void kill() throws InterruptedException {
        process.toHandle().destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        awaitOutputEnd();
    }

    /** Once the process ended, the last lines it wrote are read before anyone looks at them. */
    private void awaitOutputEnd() {
        try {
            outputEnded.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the output of operator " + name + " did not end after it exited", e);
        }
    }

    int exitValue() {
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && terminate(Duration.ofSeconds(30)).isEmpty()) {
            kill();
        }
    }
}
