package io.faultline.kube.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl against the test API server: {@code --kubeconfig} is always a file of this run (never
 * {@code ~/.kube/config}; {@code KUBECONFIG} is unset) and discovery is cached in the run's state directory.
 *
 * <pre>{@code
 * server.kubectl().run("apply", "--server-side", "-f", manifest.toString()).assertSuccess();
 * String table = server.kubectl().run("get", "fs", "-n", ns).assertSuccess().stdout();
 * }</pre>
 */
public final class Kubectl {
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private final Path binary;
    private final Path kubeconfig;
    private final Path cacheDir;

    Kubectl(Path binary, Path kubeconfig, Path cacheDir) {
        this.binary = binary;
        this.kubeconfig = kubeconfig;
        this.cacheDir = cacheDir;
    }

    /** The same kubectl with other credentials (e.g. {@link Kubeconfigs#serviceAccount}). */
    public Kubectl withKubeconfig(Path otherKubeconfig) {
        return new Kubectl(binary, otherKubeconfig, cacheDir);
    }

    public Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs kubectl with {@code stdin} as its standard input (for {@code -f -}). */
    public Result runWithInput(String stdin, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.add("--kubeconfig=" + kubeconfig);
        command.add("--cache-dir=" + cacheDir);
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("KUBECONFIG");
        try {
            Process process = builder.start();
            CompletableFuture<String> out = drain(process.getInputStream());
            CompletableFuture<String> err = drain(process.getErrorStream());
            try (var in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("kubectl " + String.join(" ", args) + " did not finish in " + TIMEOUT);
            }
            return new Result(String.join(" ", args), process.exitValue(), out.join(), err.join());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + binary, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** One thread per stream (not the common pool: on 2 cores it has one thread, and both pipes must drain). */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (stream) {
                text.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "kubectl-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }

    /** What kubectl printed and its exit code. */
    public record Result(String command, int exitCode, String stdout, String stderr) {
        public boolean succeeded() {
            return exitCode == 0;
        }

        /** Returns this result when kubectl exited 0, else throws with what it printed. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("kubectl " + command + " exited " + exitCode + "\nstderr: " + stderr
                        + "\nstdout: " + stdout);
            }
            return this;
        }
    }
}
