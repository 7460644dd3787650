package io.faultline.operator.compiler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import io.faultline.crds.common.Formats;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.FaultSpec;
import io.faultline.crds.spec.Sampling;
import io.faultline.crds.spec.Target;
import io.faultline.operator.schedule.ScheduleWindow;

/**
 * Semantic checks of a FaultSession spec, with precise messages. They repeat the CRD schema's rules (a cluster without
 * CEL, or the test server, does not enforce them) and add what a schema cannot know: listener port clashes, reserved
 * names, regular expressions that do not compile ({@link MatchValidator}). An empty list means the spec can be applied.
 */
public final class SessionValidator {
    public static final String RESERVED_FAULT_PREFIX = "qos-";
    private static final Pattern DURATION = Pattern.compile(Formats.DURATION);
    private static final Pattern SIZE = Pattern.compile(Formats.SIZE);
    private static final Pattern RATE = Pattern.compile(Formats.RATE);
    private static final Pattern LABEL = Pattern.compile(Formats.DNS_LABEL);

    private SessionValidator() {
    }

    public static List<String> validate(FaultSessionSpec spec) {
        List<String> problems = new ArrayList<>();
        if (spec == null) {
            problems.add("spec is required");
            return problems;
        }
        if (spec.selector == null) {
            problems.add("spec.selector is required ({} selects every pod of the namespace)");
        }
        checkSampling(spec.sampling, problems);
        checkSchedule(spec, problems);
        Set<String> targetNames = checkTargets(spec.targets, problems);
        checkFaults(spec.faults, targetNames, problems);
        if (problems.isEmpty()) {
            checkKindsFitTargets(spec, problems);
        }
        return problems;
    }

    private static void checkSampling(Sampling sampling, List<String> problems) {
        if (sampling == null || sampling.mode == null) {
            return;
        }
        switch (sampling.mode) {
            case Count:
                if (sampling.value == null || sampling.value < 1) {
                    problems.add("spec.sampling.value must be at least 1 for mode Count");
                }
                break;
            case Percent:
                if (sampling.value == null || sampling.value < 1 || sampling.value > 100) {
                    problems.add("spec.sampling.value must be between 1 and 100 for mode Percent");
                }
                break;
            default:
                if (sampling.value != null) {
                    problems.add("spec.sampling.value is not allowed for mode " + sampling.mode);
                }
        }
    }

    private static void checkSchedule(FaultSessionSpec spec, List<String> problems) {
        try {
            ScheduleWindow.of(spec.schedule, Instant.EPOCH);
        } catch (IllegalArgumentException e) {
            problems.add("spec.schedule: " + e.getMessage());
        }
    }

    private static Set<String> checkTargets(List<Target> targets, List<String> problems) {
        Set<String> names = new HashSet<>();
        if (targets == null || targets.isEmpty()) {
            problems.add("spec.targets must list at least one target");
            return names;
        }
        Map<String, String> listenPorts = new HashMap<>();
        for (int i = 0; i < targets.size(); i++) {
            Target target = targets.get(i);
            String path = "spec.targets[" + i + "]";
            if (target.name == null || !LABEL.matcher(target.name).matches()) {
                problems.add(path + ".name '" + target.name + "' must be a lower-case RFC 1123 label");
            } else if (!names.add(target.name)) {
                problems.add(path + ".name '" + target.name + "' is used by another target");
            }
            if ((target.port == null) == (target.mapping == null)) {
                problems.add(path + ": set exactly one of port (inbound) or mapping (outbound)");
                continue;
            }
            String listenPort;
            if (target.outbound()) {
                if (target.listenPort != null || target.protocol != null) {
                    problems.add(path + ": an outbound target takes listen port and protocol from mapping");
                }
                try {
                    listenPort = String.valueOf(OutboundMapping.parse(target.mapping).listenPort());
                } catch (IllegalArgumentException e) {
                    problems.add(path + ".mapping: " + e.getMessage());
                    continue;
                }
                listenPort = "outbound:" + listenPort;
            } else {
                if (target.port < 1 || target.port > 65535) {
                    problems.add(path + ".port " + target.port + " is outside 1..65535");
                    continue;
                }
                listenPort = "inbound:" + ListenerPlan.inboundListenPort(target);
            }
            String clash = listenPorts.putIfAbsent(listenPort, target.name);
            if (clash != null) {
                problems.add(path + ": listens on the same port as target '" + clash + "' (" + listenPort + ")");
            }
        }
        return names;
    }

    private static void checkFaults(List<FaultSpec> faults, Set<String> targetNames, List<String> problems) {
        if (faults == null) {
            return;
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < faults.size(); i++) {
            FaultSpec fault = faults.get(i);
            String path = "spec.faults[" + i + "]";
            if (fault.name == null || !LABEL.matcher(fault.name).matches()) {
                problems.add(path + ".name '" + fault.name + "' must be a lower-case RFC 1123 label");
            } else if (fault.name.startsWith(RESERVED_FAULT_PREFIX)) {
                problems.add(path + ".name '" + fault.name + "': the prefix qos- is reserved for QoSProfile rules");
            } else if (!names.add(fault.name)) {
                problems.add(path + ".name '" + fault.name + "' is used by another fault");
            }
            int kinds = fault.kindsSet().size();
            if (kinds != 1) {
                problems.add(path + ": exactly one fault kind must be set (" + String.join(", ", FaultSpec.KIND_NAMES)
                        + "), found " + (kinds == 0 ? "none" : String.join(", ", fault.kindsSet().keySet())));
            }
            if (fault.probability != null && (fault.probability < 0 || fault.probability > 1)) {
                problems.add(path + ".probability " + fault.probability + " is outside 0..1");
            }
            if (fault.targets != null) {
                for (int t = 0; t < fault.targets.size(); t++) {
                    String name = fault.targets.get(t);
                    if (!targetNames.contains(name)) {
                        problems.add(path + ".targets[" + t + "]: unknown target '" + name + "'; known targets: "
                                + String.join(", ", new TreeSet<>(targetNames)));
                    }
                }
            }
            checkSettings(fault, path, problems);
            MatchValidator.check(fault.match, path + ".match", problems);
        }
    }

    /** The sidecar refuses a stream fault on an http listener and a per-request fault (or a match) on a tcp one. */
    private static void checkKindsFitTargets(FaultSessionSpec spec, List<String> problems) {
        if (spec.faults == null) {
            return;
        }
        Map<String, String> protocolOf = new HashMap<>();
        spec.targets.forEach(target -> protocolOf.put(target.name, ListenerPlan.of(target, null).protocol()));
        for (int i = 0; i < spec.faults.size(); i++) {
            FaultSpec fault = spec.faults.get(i);
            String kind = fault.kindsSet().keySet().iterator().next();
            List<String> targets = fault.targets != null ? fault.targets : new ArrayList<>(protocolOf.keySet());
            for (String target : targets) {
                String protocol = protocolOf.get(target);
                String path = "spec.faults[" + i + "]";
                if (protocol.equals("http") && FaultSpec.TCP_KIND_NAMES.contains(kind)) {
                    problems.add(path + "." + kind + ": a tcp fault cannot act on http target '" + target
                            + "'; http targets take latency or " + String.join(", ", FaultSpec.HTTP_KIND_NAMES));
                } else if (!protocol.equals("http") && FaultSpec.HTTP_KIND_NAMES.contains(kind)) {
                    problems.add(path + "." + kind + ": needs an http target; target '" + target
                            + "' is tcp (set protocol: http, or an http:// mapping)");
                } else if (!protocol.equals("http") && fault.match != null) {
                    problems.add(path + ".match: request matching needs an http target; target '" + target + "' is tcp");
                } else if (!protocol.equals("http") && fault.latency != null && fault.latency.phase != null) {
                    problems.add(path + ".latency.phase: applies to http targets only; target '" + target + "' is tcp");
                }
            }
        }
    }

    private static void checkSettings(FaultSpec fault, String path, List<String> problems) {
        if (fault.latency != null) {
            required(fault.latency.fixed, path + ".latency.fixed", problems);
            checkDuration(path + ".latency.fixed", fault.latency.fixed, problems);
            checkDuration(path + ".latency.jitter", fault.latency.jitter, problems);
        }
        if (fault.bandwidth != null) {
            required(fault.bandwidth.rate, path + ".bandwidth.rate", problems);
            checkRate(path + ".bandwidth.rate", fault.bandwidth.rate, problems);
        }
        if (fault.slicer != null) {
            required(fault.slicer.averageSize, path + ".slicer.averageSize", problems);
            checkSize(path + ".slicer.averageSize", fault.slicer.averageSize, problems);
            checkSize(path + ".slicer.sizeVariation", fault.slicer.sizeVariation, problems);
            checkDuration(path + ".slicer.delay", fault.slicer.delay, problems);
        }
        if (fault.limitData != null) {
            required(fault.limitData.bytes, path + ".limitData.bytes", problems);
            checkSize(path + ".limitData.bytes", fault.limitData.bytes, problems);
        }
        if (fault.timeout != null) {
            required(fault.timeout.after, path + ".timeout.after", problems);
            checkDuration(path + ".timeout.after", fault.timeout.after, problems);
        }
        if (fault.resetPeer != null) {
            checkDuration(path + ".resetPeer.after", fault.resetPeer.after, problems);
        }
        if (fault.slowClose != null) {
            required(fault.slowClose.delay, path + ".slowClose.delay", problems);
            checkDuration(path + ".slowClose.delay", fault.slowClose.delay, problems);
        }
        if (fault.loss != null) {
            if (fault.loss.probability == null || fault.loss.probability < 0 || fault.loss.probability > 1) {
                problems.add(path + ".loss.probability must be between 0 and 1");
            }
            checkDuration(path + ".loss.stall", fault.loss.stall, problems);
        }
        if (fault.rewrite != null) {
            MatchValidator.regex(fault.rewrite.pathRegex, path + ".rewrite.pathRegex", problems);
        }
        if (fault.abort != null && fault.abort.httpStatus != null && (fault.abort.httpStatus < 200 || fault.abort.httpStatus > 599)) {
            problems.add(path + ".abort.httpStatus must be between 200 and 599");
        }
    }

    private static void required(String value, String path, List<String> problems) {
        if (value == null) {
            problems.add(path + " is required");
        }
    }

    private static void checkDuration(String path, String value, List<String> problems) {
        check(DURATION, path, value, problems, "a duration such as 250ms, 1.5s or 1m");
    }

    private static void checkSize(String path, String value, List<String> problems) {
        check(SIZE, path, value, problems, "a size such as 64KiB, 1MiB or 1000");
    }

    private static void checkRate(String path, String value, List<String> problems) {
        check(RATE, path, value, problems, "a rate such as 256KiB or 2Mbps");
    }

    private static void check(Pattern pattern, String path, String value, List<String> problems, String expected) {
        if (value != null && !pattern.matcher(value).matches()) {
            problems.add(path + " '" + value + "' is not " + expected);
        }
    }
}
