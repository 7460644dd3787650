package io.faultline.sidecar.proxy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the private key in a PEM file and returns it as PKCS#8 DER, the form the JDK reads:
 * PKCS#8 as is, PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}) and SEC1 EC ({@code BEGIN EC PRIVATE KEY},
 * named curve) wrapped into PKCS#8 here (what {@code openssl pkcs8 -topk8 -nocrypt} does). Encrypted
 * keys and other formats are refused with a message that says what was found and how to convert it.
 */
final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** AlgorithmIdentifier rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = der(0x30, concat(
            new byte[] {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01},
            new byte[] {0x05, 0x00}));
    /** id-ecPublicKey (1.2.840.10045.2.1). */
    private static final byte[] EC_PUBLIC_KEY = {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
    private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

    /** A key file that cannot be used; the message names the file and what to do. */
    static final class BadKey extends IllegalArgumentException {
        BadKey(String message) {
            super(message);
        }
    }

    private PemKeys() {
    }

    /** A key as PKCS#8 DER, and the PEM label it was found under (e.g. {@code RSA PRIVATE KEY}). */
    record Pkcs8(byte[] der, String label) {
    }

    static Pkcs8 pkcs8(String file, String pem) {
        List<String> found = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String label = m.group(1);
            String body = m.group(2);
            switch (label) {
                case "PRIVATE KEY":
                    return new Pkcs8(decode(file, label, body), label);
                case "RSA PRIVATE KEY":
                    refuseEncrypted(file, "a PKCS#1 RSA key", body);
                    return new Pkcs8(wrap(RSA_ALGORITHM, decode(file, label, body)), label);
                case "EC PRIVATE KEY":
                    refuseEncrypted(file, "a SEC1 EC key", body);
                    byte[] sec1 = decode(file, label, body);
                    return new Pkcs8(wrap(der(0x30, concat(EC_PUBLIC_KEY, namedCurve(file, sec1))), sec1), label);
                case "ENCRYPTED PRIVATE KEY":
                    throw new BadKey("the key in '" + file + "' is an encrypted PKCS#8 key (BEGIN ENCRYPTED PRIVATE "
                            + "KEY); the sidecar needs it unencrypted: " + convert(file) + " (asks for the passphrase)");
                case "EC PARAMETERS":
                    break; // what `openssl ecparam -genkey` writes ahead of the key
                default:
                    found.add("BEGIN " + label);
            }
        }
        String what = found.isEmpty() ? "no PEM block" : "only " + String.join(", ", found);
        String hint = found.contains("BEGIN OPENSSH PRIVATE KEY")
                ? "; an OpenSSH key converts with: ssh-keygen -p -N '' -m PKCS8 -f <a copy of the file>"
                : "; other key types convert with: " + convert(file);
        throw new BadKey("no private key in '" + file + "' (found " + what + "); expected PEM -----BEGIN PRIVATE "
                + "KEY----- (PKCS#8), -----BEGIN RSA PRIVATE KEY----- (PKCS#1) or -----BEGIN EC PRIVATE KEY----- "
                + "(SEC1), unencrypted" + hint);
    }

    private static String convert(String file) {
        return "openssl pkcs8 -topk8 -nocrypt -in '" + file + "' -out key.pem";
    }

    /** Legacy OpenSSL encryption marks the block with headers ({@code Proc-Type: 4,ENCRYPTED}). */
    private static void refuseEncrypted(String file, String kind, String body) {
        if (body.contains("Proc-Type:") || body.contains("DEK-Info:")) {
            throw new BadKey("the key in '" + file + "' is " + kind + " encrypted with a passphrase (Proc-Type: "
                    + "4,ENCRYPTED); the sidecar needs it unencrypted: " + convert(file) + " (asks for the passphrase)");
        }
    }

    private static byte[] decode(String file, String label, String body) {
        try {
            return Base64.getMimeDecoder().decode(body.trim());
        } catch (IllegalArgumentException e) {
            throw new BadKey("the " + label + " block in '" + file + "' is not valid base64");
        }
    }

    /** PrivateKeyInfo: version 0, the algorithm, the key in its own format as an OCTET STRING. */
    private static byte[] wrap(byte[] algorithm, byte[] key) {
        return der(0x30, concat(VERSION_0, algorithm, der(0x04, key)));
    }

    /**
     * The curve OID of a SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, [0] OID, [1] BIT STRING }.
     * PKCS#8 names the curve in the algorithm, so a SEC1 key without it cannot be converted.
     */
    private static byte[] namedCurve(String file, byte[] sec1) {
        try {
            Der outer = Der.read(sec1, 0);
            if (outer.tag != 0x30) {
                throw new IllegalArgumentException("not a SEQUENCE");
            }
            int at = outer.valueStart;
            while (at < outer.end) {
                Der field = Der.read(sec1, at);
                if (field.tag == 0xA0) {
                    Der parameters = Der.read(sec1, field.valueStart);
                    if (parameters.tag != 0x06) {
                        throw new BadKey("the EC key in '" + file + "' has explicit curve parameters; the sidecar "
                                + "reads keys on named curves (e.g. P-256): openssl ec -in '" + file
                                + "' -param_enc named_curve -out key.pem");
                    }
                    byte[] oid = Arrays.copyOfRange(sec1, field.valueStart, parameters.end);
                    return oid;
                }
                at = field.end;
            }
        } catch (BadKey e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BadKey("the EC PRIVATE KEY in '" + file + "' is not a SEC1 key (" + e.getMessage() + ")");
        }
        throw new BadKey("the EC key in '" + file + "' does not name its curve; convert it with: " + convert(file));
    }

    /** One DER element: its tag and where its value starts and the element ends. */
    private record Der(int tag, int valueStart, int end) {
        static Der read(byte[] b, int at) {
            int tag = b[at] & 0xFF;
            int first = b[at + 1] & 0xFF;
            int length;
            int start;
            if (first < 0x80) {
                length = first;
                start = at + 2;
            } else {
                int n = first & 0x7F;
                if (n == 0 || n > 3) {
                    throw new IllegalArgumentException("unsupported DER length");
                }
                length = 0;
                for (int i = 0; i < n; i++) {
                    length = (length << 8) | (b[at + 2 + i] & 0xFF);
                }
                start = at + 2 + n;
            }
            if (start + length > b.length) {
                throw new IllegalArgumentException("truncated DER");
            }
            return new Der(tag, start, start + length);
        }
    }

    private static byte[] der(int tag, byte[] value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        int n = value.length;
        if (n < 0x80) {
            out.write(n);
        } else if (n < 0x100) {
            out.write(0x81);
            out.write(n);
        } else if (n < 0x10000) {
            out.write(0x82);
            out.write(n >>> 8);
            out.write(n);
        } else {
            out.write(0x83);
            out.write(n >>> 16);
            out.write(n >>> 8);
            out.write(n);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
