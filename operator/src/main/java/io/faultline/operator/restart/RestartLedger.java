package io.faultline.operator.restart;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import io.faultline.crds.FaultSession;

/**
 * The value of {@link WorkloadApi#RESTARTED_FOR} on a workload's pod template: one entry {@code name@generation#uid8}
 * per session generation the workload was restarted for, newest last, at most {@value #KEPT} kept. It lives on the
 * workload itself, so "never twice for the same session generation" survives an operator restart; and pods created by
 * the restart carry it too, which tells a pod that should have been injected by it.
 */
final class RestartLedger {
    static final int KEPT = 8;

    private RestartLedger() {
    }

    static String entry(FaultSession session) {
        String uid = session.getMetadata().getUid() == null ? "" : session.getMetadata().getUid();
        return session.getMetadata().getName() + "@" + session.getMetadata().getGeneration() + "#"
                + uid.substring(0, Math.min(8, uid.length()));
    }

    static boolean contains(Map<String, String> annotations, String entry) {
        return entries(annotations).contains(entry);
    }

    /** The annotation's new value with {@code entry} appended (oldest entries dropped beyond {@value #KEPT}). */
    static String with(Map<String, String> annotations, String entry) {
        List<String> entries = new ArrayList<>(entries(annotations));
        entries.remove(entry);
        entries.add(entry);
        while (entries.size() > KEPT) {
            entries.remove(0);
        }
        return String.join(",", entries);
    }

    private static List<String> entries(Map<String, String> annotations) {
        String value = annotations == null ? null : annotations.get(WorkloadApi.RESTARTED_FOR);
        if (value == null || value.isBlank()) {
            return List.of();
        }
        return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
