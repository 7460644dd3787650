package io.faultline.operator.selection;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import io.faultline.crds.spec.Sampling;

/**
 * Chooses the pods a session acts on among the pods its selector matches. Each pod is ranked by a hash of its UID and
 * the session's UID and the lowest ranks win: the choice does not depend on listing order or on the operator's
 * memory, differs between sessions, and changes only when pods come or go (and then as little as possible).
 */
public final class StableSampler {
    private StableSampler() {
    }

    /** How many of {@code matching} pods the sampling asks for. */
    public static int sampleSize(Sampling sampling, int matching) {
        if (sampling == null || sampling.mode == null) {
            return matching;
        }
        switch (sampling.mode) {
            case All:
                return matching;
            case One:
                return Math.min(1, matching);
            case Count:
                return Math.min(sampling.value, matching);
            case Percent:
                return (int) Math.min(matching, Math.ceil(matching * sampling.value / 100.0));
            default:
                throw new IllegalArgumentException("unknown sampling mode " + sampling.mode);
        }
    }

    /** The chosen items, in rank order. {@code uidOf} gives each item's stable identity (the pod UID). */
    public static <T> List<T> choose(String sessionUid, Sampling sampling, List<T> matching, Function<T, String> uidOf) {
        int size = sampleSize(sampling, matching.size());
        // each item's rank is computed once (a SHA-256), not once per comparison
        record Ranked<T>(T item, String uid, long rank) {
        }
        return matching.stream()
                .map(item -> new Ranked<>(item, uidOf.apply(item), rank(uidOf.apply(item), sessionUid)))
                .sorted(Comparator.<Ranked<T>> comparingLong(Ranked::rank).thenComparing(Ranked::uid))
                .limit(size)
                .map(Ranked::item)
                .collect(Collectors.toList());
    }

    /** The rank of a pod for a session: the first 8 bytes of SHA-256(podUid "/" sessionUid), unsigned. */
    static long rank(String podUid, String sessionUid) {
        byte[] digest = sha256(podUid + "/" + sessionUid);
        long rank = 0;
        for (int i = 0; i < 8; i++) {
            rank = (rank << 8) | (digest[i] & 0xff);
        }
        return rank ^ Long.MIN_VALUE; // so that signed comparison orders like unsigned
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
