package io.faultline.sidecar;

import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.util.Log;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The command line of {@code faultline-proxy}; every mistake is a {@link UsageException} naming the flag. */
record CliOptions(
        Path configFile,
        HostPort admin,
        List<String> mappings,
        Path adminTokenFile,
        Long seed,
        Log.Format logFormat,
        String transport,
        boolean help,
        boolean version) {

    static final String USAGE = """
            Usage: java -jar faultline-sidecar.jar [options]

            Faultline sidecar: a TCP fault-injection proxy with a live admin API.

            Options:
              --config FILE            ProxyConfig to start with (YAML or JSON): listeners and rules
              --admin HOST:PORT        admin API address (default 127.0.0.1:15000; port 0 = any free port)
              --map LISTEN=UPSTREAM    add a TCP listener, repeatable: 15001=db:5432, 15002=tls://db:5432,
                                       127.0.0.1:15003=payments:80 (a bare port listens on 127.0.0.1)
              --admin-token-file FILE  bearer token for mutating admin calls (required when --admin is
                                       not a loopback address)
              --seed N                 seed for every random choice (probabilities, jitter): reproducible runs
              --log-format text|json   lifecycle log lines as text (default) or JSON
              --transport nio|epoll    socket transport (default nio; epoll has a Netty 4.2.18 defect with
                                       half-closed peers, see the README)
              --version                print the version and exit
              --help                   print this help and exit

            Exit codes: 0 normal stop, 1 runtime failure (e.g. a port in use), 2 bad flags or config.
            """;

    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    static CliOptions parse(String... args) {
        Path config = null;
        HostPort admin = HostPort.parse("127.0.0.1:15000");
        List<String> mappings = new ArrayList<>();
        Path tokenFile = null;
        Long seed = null;
        Log.Format format = Log.Format.TEXT;
        String transport = System.getProperty("faultline.transport", "nio");
        boolean help = false;
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String flag = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                flag = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (flag) {
                case "--help", "-h" -> help = true;
                case "--version" -> version = true;
                case "--config" -> config = Path.of(value != null ? value : next(args, ++i, flag, "a file path"));
                case "--admin" -> {
                    String v = value != null ? value : next(args, ++i, flag, HostPort.ACCEPTED);
                    try {
                        admin = HostPort.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException("--admin: " + e.getMessage());
                    }
                }
                case "--map" -> mappings.add(value != null ? value : next(args, ++i, flag, "LISTEN=UPSTREAM"));
                case "--admin-token-file" -> tokenFile = Path.of(value != null ? value : next(args, ++i, flag, "a file path"));
                case "--seed" -> {
                    String v = value != null ? value : next(args, ++i, flag, "a whole number");
                    try {
                        seed = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        throw new UsageException("--seed: '" + v + "' is not a whole number");
                    }
                }
                case "--log-format" -> {
                    String v = value != null ? value : next(args, ++i, flag, "text or json");
                    format = switch (v) {
                        case "text" -> Log.Format.TEXT;
                        case "json" -> Log.Format.JSON;
                        default -> throw new UsageException("--log-format: '" + v + "' is not accepted; expected text or json");
                    };
                }
                case "--transport" -> {
                    transport = value != null ? value : next(args, ++i, flag, "nio or epoll");
                    if (!transport.equals("nio") && !transport.equals("epoll")) {
                        throw new UsageException("--transport: '" + transport + "' is not accepted; expected nio or epoll");
                    }
                }
                default -> throw new UsageException("unknown option '" + arg + "'; see --help");
            }
        }
        return new CliOptions(config, admin, mappings, tokenFile, seed, format, transport, help, version);
    }

    private static String next(String[] args, int i, String flag, String expected) {
        if (i >= args.length || args[i].startsWith("--")) {
            throw new UsageException(flag + " needs a value: " + expected);
        }
        return args[i];
    }
}
