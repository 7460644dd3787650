package io.faultline.sidecar;

import io.faultline.sidecar.admin.AdminServer;
import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.Mapping;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.util.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/** {@code faultline-proxy}: the sidecar's entry point. */
public final class Main {
    static final int EXIT_RUNTIME = 1;
    static final int EXIT_USAGE = 2;

    private Main() {
    }

    public static void main(String[] args) {
        int code = run(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    static int run(String[] args) {
        CliOptions options;
        ProxyConfig initial;
        String token;
        try {
            options = CliOptions.parse(args);
            if (options.help()) {
                System.out.print(CliOptions.USAGE);
                return 0;
            }
            if (options.version()) {
                System.out.println("faultline-sidecar " + version());
                return 0;
            }
            Log.configure(options.logFormat());
            initial = initialConfig(options);
            token = readToken(options);
        } catch (CliOptions.UsageException | ConfigException e) {
            System.err.println("faultline-proxy: " + e.getMessage());
            return EXIT_USAGE;
        }
        long seed = options.seed() != null ? options.seed() : new SecureRandom().nextLong();
        int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        Transport transport = Transport.named(options.transport());
        Engine engine = new Engine(transport, workers, seed, Clock.systemUTC());
        AdminServer admin = new AdminServer(engine, options.admin(), token, transport);
        try {
            engine.apply(initial).get();
            admin.start();
        } catch (ExecutionException e) {
            System.err.println("faultline-proxy: " + e.getCause().getMessage());
            admin.close();
            engine.close();
            return e.getCause() instanceof ConfigException ? EXIT_USAGE : EXIT_RUNTIME;
        } catch (Exception e) {
            System.err.println("faultline-proxy: cannot start the admin API on " + options.admin() + ": " + e.getMessage());
            admin.close();
            engine.close();
            return EXIT_RUNTIME;
        }
        Log.info("started", "version", version(), "transport", transport.name(), "workers", workers,
                "seeded", options.seed() != null);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Log.info("stopping");
            admin.close();
            engine.close();
            stopped.countDown();
        }, "faultline-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static ProxyConfig initialConfig(CliOptions options) {
        ProxyConfig fromFile = ProxyConfig.EMPTY;
        if (options.configFile() != null) {
            String text;
            try {
                text = Files.readString(options.configFile(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new CliOptions.UsageException("--config: cannot read " + options.configFile() + ": " + e);
            }
            try {
                fromFile = ConfigParser.parse(text);
            } catch (ConfigException e) {
                throw new CliOptions.UsageException("--config " + options.configFile() + ": " + e.getMessage());
            }
        }
        List<ListenerSpec> listeners = new ArrayList<>(fromFile.listeners());
        for (String m : options.mappings()) {
            ListenerSpec spec;
            try {
                spec = Mapping.parse(m);
            } catch (IllegalArgumentException e) {
                throw new CliOptions.UsageException("--map: " + e.getMessage());
            }
            if (fromFile.listener(spec.name()).isPresent() || listeners.stream().anyMatch(l -> l.name().equals(spec.name()))) {
                throw new CliOptions.UsageException("--map " + m + ": a listener named '" + spec.name() + "' exists already");
            }
            listeners.add(spec);
        }
        ProxyConfig merged = fromFile.withListeners(listeners);
        // Re-validate the merged whole (duplicate addresses across file and --map).
        return ConfigParser.revalidate(merged);
    }

    private static String readToken(CliOptions options) {
        if (options.adminTokenFile() == null) {
            if (AdminServer.needsToken(options.admin())) {
                throw new CliOptions.UsageException("--admin " + options.admin()
                        + " is reachable beyond loopback: give --admin-token-file FILE so mutating calls need a bearer token");
            }
            return null;
        }
        try {
            String token = Files.readString(options.adminTokenFile(), StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) {
                throw new CliOptions.UsageException("--admin-token-file " + options.adminTokenFile() + " is empty");
            }
            return token;
        } catch (IOException e) {
            throw new CliOptions.UsageException("--admin-token-file: cannot read " + options.adminTokenFile() + ": " + e);
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
