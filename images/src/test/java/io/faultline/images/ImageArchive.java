package io.faultline.images;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * An OCI image archive (an OCI image layout in a tar: {@code oci-layout}, {@code index.json}, {@code blobs/sha256/...}) read
 * the way a container runtime reads it: index, manifest, config, then the layers applied in order onto an empty
 * directory (whiteouts honoured). No Docker, no external tool.
 */
final class ImageArchive {
    static final ObjectMapper JSON = new ObjectMapper();

    final Path file;
    final String manifestDigest;
    final JsonNode index;
    final JsonNode manifest;
    final JsonNode config;
    final List<JsonNode> layers;
    private final Map<String, byte[]> blobs;

    private ImageArchive(Path file, Map<String, byte[]> entries) throws IOException {
        this.file = file;
        if (!entries.containsKey("oci-layout") || !entries.containsKey("index.json")) {
            throw new IOException(file + " is not an OCI image layout archive (no oci-layout or index.json); entries: " + entries.keySet());
        }
        this.blobs = entries;
        this.index = JSON.readTree(entries.get("index.json"));
        JsonNode descriptor = index.path("manifests").get(0);
        this.manifestDigest = descriptor.path("digest").asText();
        this.manifest = JSON.readTree(blob(manifestDigest));
        this.config = JSON.readTree(blob(manifest.path("config").path("digest").asText()));
        this.layers = new ArrayList<>();
        manifest.path("layers").forEach(layers::add);
    }

    static ImageArchive read(Path file) throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file)) {
            Tar.read(in, (entry, data) -> {
                if (entry.type == Tar.FILE) {
                    entries.put(entry.name.startsWith("./") ? entry.name.substring(2) : entry.name, data);
                }
            });
        }
        return new ImageArchive(file, entries);
    }

    byte[] blob(String digest) throws IOException {
        byte[] data = blobs.get("blobs/" + digest.replace(':', '/'));
        if (data == null) {
            throw new IOException(file + " has no blob " + digest);
        }
        return data;
    }

    JsonNode containerConfig() {
        return config.path("config");
    }

    /** Environment of the image as a map (the config's "Env" list of K=V). */
    Map<String, String> env() {
        Map<String, String> env = new LinkedHashMap<>();
        containerConfig().path("Env").forEach(e -> {
            String kv = e.asText();
            env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        });
        return env;
    }

    List<String> entrypoint() {
        List<String> out = new ArrayList<>();
        containerConfig().path("Entrypoint").forEach(e -> out.add(e.asText()));
        return out;
    }

    long compressedSize() {
        long size = manifest.path("config").path("size").asLong();
        for (JsonNode layer : layers) {
            size += layer.path("size").asLong();
        }
        return size;
    }

    /** Applies every layer in order onto {@code root} (emptied first); returns what was unpacked. */
    Unpacked unpack(Path root) throws IOException {
        Files.createDirectories(root);
        Unpacked unpacked = new Unpacked(root);
        for (JsonNode layer : layers) {
            String mediaType = layer.path("mediaType").asText();
            InputStream in = new ByteArrayInputStream(blob(layer.path("digest").asText()));
            if (mediaType.endsWith("gzip")) {
                in = new GZIPInputStream(in);
            } else if (!mediaType.endsWith(".tar") && !mediaType.endsWith("tar")) {
                throw new IOException("layer media type " + mediaType + " is not supported");
            }
            Map<String, Path> hardLinks = new HashMap<>();
            Tar.read(in, (entry, data) -> unpacked.apply(entry, data, hardLinks));
        }
        return unpacked;
    }

    /** A root filesystem on disk, with what the tar headers said about each path (owner, mode). */
    static final class Unpacked {
        final Path root;
        final Map<String, Tar.Entry> entries = new LinkedHashMap<>();
        long bytes;

        Unpacked(Path root) {
            this.root = root;
        }

        void apply(Tar.Entry entry, byte[] data, Map<String, Path> hardLinks) throws IOException {
            String name = normalize(entry.name);
            if (name.isEmpty()) {
                return;
            }
            Path target = root.resolve(name).normalize();
            if (!target.startsWith(root)) {
                throw new IOException("layer entry escapes the root: " + entry.name);
            }
            String base = target.getFileName().toString();
            if (base.startsWith(".wh.")) {
                Path parent = target.getParent();
                if (base.equals(".wh..wh..opq")) {
                    clear(parent);
                } else {
                    delete(parent.resolve(base.substring(4)));
                }
                return;
            }
            Files.createDirectories(target.getParent());
            switch (entry.type) {
                case Tar.DIRECTORY -> Files.createDirectories(target);
                case Tar.FILE -> {
                    delete(target);
                    Files.write(target, data);
                    bytes += data.length;
                }
                case Tar.SYMLINK -> {
                    delete(target);
                    Files.createSymbolicLink(target, Path.of(entry.linkName));
                }
                case Tar.HARDLINK -> {
                    delete(target);
                    Files.copy(root.resolve(normalize(entry.linkName)), target, StandardCopyOption.COPY_ATTRIBUTES);
                }
                default -> throw new IOException("unsupported tar entry type '" + (char) entry.type + "' for " + entry.name);
            }
            if (entry.type != Tar.SYMLINK) {
                Files.setPosixFilePermissions(target, permissions(entry.mode));
                // as runtimes do: the JVM checks the jar's time against the one its AppCDS archive recorded
                Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(entry.mtime, java.util.concurrent.TimeUnit.SECONDS));
            }
            entries.put("/" + name, entry);
        }

        private static String normalize(String name) {
            String n = name;
            while (n.startsWith("./") || n.startsWith("/")) {
                n = n.substring(n.startsWith("./") ? 2 : 1);
            }
            return n.endsWith("/") ? n.substring(0, n.length() - 1) : n;
        }

        private static void clear(Path dir) throws IOException {
            if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                try (var children = Files.list(dir)) {
                    for (Path child : (Iterable<Path>) children::iterator) {
                        delete(child);
                    }
                }
            }
        }

        private static void delete(Path path) throws IOException {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                clear(path);
            }
            Files.deleteIfExists(path);
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < 9; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    /** A small reader for the tar files images are made of: ustar, PAX extended headers, GNU long names. */
    static final class Tar {
        static final int FILE = '0';
        static final int HARDLINK = '1';
        static final int SYMLINK = '2';
        static final int DIRECTORY = '5';

        static final class Entry {
            String name;
            String linkName;
            int type;
            int mode;
            long uid;
            long gid;
            long size;
            long mtime;

            @Override
            public String toString() {
                return name + " type=" + (char) type + " mode=" + Integer.toOctalString(mode) + " uid=" + uid + " gid=" + gid
                        + " size=" + size + " mtime=" + mtime;
            }
        }

        interface Visitor {
            void visit(Entry entry, byte[] data) throws IOException;
        }

        static void read(InputStream in, Visitor visitor) throws IOException {
            byte[] header = new byte[512];
            Map<String, String> pax = new HashMap<>();
            String longName = null;
            String longLink = null;
            while (true) {
                if (!readFully(in, header)) {
                    return;
                }
                if (isZero(header)) {
                    return; // end of archive
                }
                Entry entry = new Entry();
                entry.type = header[156] == 0 ? FILE : header[156];
                entry.size = number(header, 124, 12);
                byte[] data = new byte[Math.toIntExact(entry.size)];
                if (!readFully(in, data)) {
                    throw new EOFException("truncated tar entry");
                }
                long padding = (512 - entry.size % 512) % 512;
                in.skipNBytes(padding);
                switch (entry.type) {
                    case 'x' -> {
                        pax.putAll(paxRecords(data));
                        continue;
                    }
                    case 'g' -> {
                        continue;
                    }
                    case 'L' -> {
                        longName = cString(data, 0, data.length);
                        continue;
                    }
                    case 'K' -> {
                        longLink = cString(data, 0, data.length);
                        continue;
                    }
                    default -> {
                        // a real entry
                    }
                }
                String prefix = cString(header, 345, 155);
                String name = cString(header, 0, 100);
                entry.name = pax.getOrDefault("path", longName != null ? longName : prefix.isEmpty() ? name : prefix + "/" + name);
                entry.linkName = pax.getOrDefault("linkpath", longLink != null ? longLink : cString(header, 157, 100));
                entry.mode = (int) number(header, 100, 8) & 07777;
                entry.uid = pax.containsKey("uid") ? Long.parseLong(pax.get("uid")) : number(header, 108, 8);
                entry.gid = pax.containsKey("gid") ? Long.parseLong(pax.get("gid")) : number(header, 116, 8);
                entry.mtime = number(header, 136, 12);
                pax.clear();
                longName = null;
                longLink = null;
                visitor.visit(entry, data);
            }
        }

        private static Map<String, String> paxRecords(byte[] data) {
            Map<String, String> records = new HashMap<>();
            int at = 0;
            while (at < data.length) {
                int space = at;
                while (data[space] != ' ') {
                    space++;
                }
                int length = Integer.parseInt(new String(data, at, space - at, StandardCharsets.US_ASCII));
                String record = new String(data, space + 1, length - (space + 1 - at) - 1, StandardCharsets.UTF_8);
                int eq = record.indexOf('=');
                records.put(record.substring(0, eq), record.substring(eq + 1));
                at += length;
            }
            return records;
        }

        private static long number(byte[] header, int offset, int length) {
            if ((header[offset] & 0x80) != 0) { // base-256
                long value = header[offset] & 0x7f;
                for (int i = 1; i < length; i++) {
                    value = (value << 8) | (header[offset + i] & 0xff);
                }
                return value;
            }
            String text = cString(header, offset, length).trim();
            return text.isEmpty() ? 0 : Long.parseLong(text, 8);
        }

        private static String cString(byte[] bytes, int offset, int length) {
            int end = offset;
            while (end < offset + length && bytes[end] != 0) {
                end++;
            }
            return new String(bytes, offset, end - offset, StandardCharsets.UTF_8);
        }

        private static boolean isZero(byte[] block) {
            for (byte b : block) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        private static boolean readFully(InputStream in, byte[] buffer) throws IOException {
            if (buffer.length == 0) {
                return true;
            }
            int read = in.readNBytes(buffer, 0, buffer.length);
            if (read == 0) {
                return false;
            }
            if (read < buffer.length) {
                throw new EOFException("truncated tar: " + read + " of " + buffer.length + " bytes");
            }
            return true;
        }
    }
}
