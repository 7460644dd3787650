package io.faultline.operator.compiler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names of the sidecar rules a session produces: {@code <session>.<fault>}. Fault names are RFC 1123 labels (no dots),
 * so the last dot separates session and fault and names of different sessions cannot collide. Names longer than the
 * sidecar's 63 characters keep their fault part and replace the tail of the session part by a hash of it.
 */
public final class RuleNames {
    static final int MAX_LENGTH = 63;

    private RuleNames() {
    }

    public static String of(String session, String fault) {
        String name = session + "." + fault;
        if (name.length() <= MAX_LENGTH) {
            return name;
        }
        String hash = shortHash(session);
        int keep = Math.max(1, MAX_LENGTH - fault.length() - hash.length() - 2);
        String sessionPart = session.substring(0, Math.min(keep, session.length())) + "-" + hash;
        String shortened = sessionPart + "." + fault;
        return shortened.length() <= MAX_LENGTH ? shortened : shortened.substring(0, MAX_LENGTH);
    }

    static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
