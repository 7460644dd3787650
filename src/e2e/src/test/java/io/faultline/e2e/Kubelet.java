package io.faultline.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;

/**
 * Plays the kubelet for the pods of the namespaces it is given (there is no kubelet next to jenvtest's API server):
 * it "starts" a pod by giving it an IP of its own on the loopback network (127.R.x.y), running a real sidecar process
 * for a {@code faultline-sidecar} container with that container's own arguments, and patching the pod's status
 * (podIP, Running, Ready, containerStatuses) through the status subresource, as a kubelet does. The application
 * containers are not run: the test serves what they would serve on 127.0.0.1 (see {@link AppServer}).
 *
 * <p>What a network namespace would give each pod, the fixture gives by address: the sidecar's admin API binds the pod
 * IP on an ephemeral port (announced to the operator with the pod annotation {@code faultline.io/admin-port}), and its
 * listeners bind the pod IP instead of 0.0.0.0 (the initial config from the Downward API file is rewritten so, and the
 * annotation {@code faultline.io/listen-host} tells the operator to do the same), so that many pods share one host.
 * The token file is the namespace's token Secret, the config file the pod's {@code faultline.io/initial-config}
 * annotation, as the volumes the webhook added would mount them. A pod labelled {@code e2e.faultline.io/kubelet=hold}
 * is left Pending, with no IP, like a pod waiting for a node or an image.
 */
final class Kubelet implements AutoCloseable {
    static final String HOLD_LABEL = "e2e.faultline.io/kubelet";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KubernetesClient admin;
    private final Path dir;
    private final int network = ThreadLocalRandom.current().nextInt(20, 250);
    private final AtomicInteger nextHost = new AtomicInteger(2);
    private final Set<String> namespaces = ConcurrentHashMap.newKeySet();
    private final Map<String, RunningPod> running = new ConcurrentHashMap<>();
    private final Set<String> starting = ConcurrentHashMap.newKeySet();
    private final ExecutorService workers = Executors.newFixedThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "kubelet");
        thread.setDaemon(true);
        return thread;
    });
    private final List<String> errors = new ArrayList<>();
    private final SharedIndexInformer<Pod> informer;

    /** A pod this kubelet runs: its IP, and its sidecar when it has one. */
    record RunningPod(String namespace, String name, String uid, String ip, SidecarProcess sidecar, int adminPort) {
    }

    Kubelet(KubernetesClient admin, Path dir) {
        this.admin = admin;
        this.dir = dir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.informer = admin.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                consider(pod);
            }

            @Override
            public void onUpdate(Pod previous, Pod pod) {
                consider(pod);
            }

            @Override
            public void onDelete(Pod pod, boolean unknownState) {
                stop(pod.getMetadata().getUid());
            }
        }, 0);
    }

    /** Runs the pods of this namespace from now on. */
    void manage(String namespace) {
        namespaces.add(namespace);
        admin.pods().inNamespace(namespace).list().getItems().forEach(this::consider);
    }

    Optional<RunningPod> pod(String namespace, String name) {
        return running.values().stream().filter(p -> p.namespace().equals(namespace) && p.name().equals(name)).findFirst();
    }

    List<RunningPod> pods(String namespace) {
        return running.values().stream().filter(p -> p.namespace().equals(namespace)).toList();
    }

    List<String> errors() {
        synchronized (errors) {
            return List.copyOf(errors);
        }
    }

    private void consider(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        String uid = pod.getMetadata().getUid();
        if (!namespaces.contains(namespace)) {
            return;
        }
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            workers.execute(() -> terminate(pod));
            return;
        }
        boolean held = "hold".equals(labels(pod).get(HOLD_LABEL));
        if (held || running.containsKey(uid) || !starting.add(uid)) {
            return;
        }
        workers.execute(() -> {
            try {
                start(pod);
            } catch (RuntimeException e) {
                synchronized (errors) {
                    errors.add(namespace + "/" + pod.getMetadata().getName() + ": " + e);
                }
                e.printStackTrace();
            } finally {
                starting.remove(uid);
            }
        });
    }

    private void start(Pod pod) {
        String namespace = pod.getMetadata().getNamespace();
        String name = pod.getMetadata().getName();
        String uid = pod.getMetadata().getUid();
        int host = nextHost.getAndIncrement();
        String ip = "127." + network + "." + (host / 250) + "." + (2 + host % 250);
        Optional<Container> sidecarContainer = sidecarContainer(pod);
        SidecarProcess sidecar = null;
        int adminPort = -1;
        if (sidecarContainer.isPresent()) {
            Path podDir = dir.resolve(namespace + "_" + name);
            sidecar = SidecarProcess.start(sidecarArgs(pod, sidecarContainer.get(), ip, podDir), podDir.resolve("sidecar.log"));
            adminPort = sidecar.awaitAdminPort();
            ObjectNode patch = JSON.createObjectNode();
            patch.putObject("metadata").putObject("annotations").put("faultline.io/admin-port", String.valueOf(adminPort))
                    .put("faultline.io/listen-host", ip);
            admin.pods().inNamespace(namespace).withName(name).patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        }
        running.put(uid, new RunningPod(namespace, name, uid, ip, sidecar, adminPort));
        admin.pods().inNamespace(namespace).withName(name).subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), JSON.createObjectNode().set("status", runningStatus(pod, ip, sidecar)).toString());
    }

    private static Optional<Container> sidecarContainer(Pod pod) {
        List<Container> all = new ArrayList<>(pod.getSpec().getContainers());
        if (pod.getSpec().getInitContainers() != null) {
            all.addAll(pod.getSpec().getInitContainers());
        }
        return all.stream().filter(c -> "faultline-sidecar".equals(c.getName())).findFirst();
    }

    /** The container's own arguments, with the files its volumes would mount and the pod's address. */
    private List<String> sidecarArgs(Pod pod, Container container, String ip, Path podDir) {
        try {
            Files.createDirectories(podDir);
            List<String> args = new ArrayList<>(container.getArgs() == null ? List.of() : container.getArgs());
            for (int i = 0; i + 1 < args.size(); i++) {
                switch (args.get(i)) {
                    case "--admin" -> args.set(i + 1, ip + ":0");
                    case "--admin-token-file" -> args.set(i + 1, Files.writeString(podDir.resolve("token"), token(pod)).toString());
                    case "--config" -> args.set(i + 1, Files.writeString(podDir.resolve("initial.json"), initialConfig(pod, ip)).toString());
                    default -> {
                    }
                }
            }
            return args;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token Secret's key, as the webhook's secret volume mounts it (a missing Secret keeps a real pod waiting). */
    private String token(Pod pod) {
        Volume volume = pod.getSpec().getVolumes().stream().filter(v -> "faultline-token".equals(v.getName()) && v.getSecret() != null)
                .findFirst().orElseThrow(() -> new IllegalStateException("the sidecar has --admin-token-file but the pod no"
                        + " faultline-token secret volume"));
        String secretName = volume.getSecret().getSecretName();
        String key = volume.getSecret().getItems().get(0).getKey();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Secret secret = admin.secrets().inNamespace(pod.getMetadata().getNamespace()).withName(secretName).get();
            if (secret != null && secret.getData() != null && secret.getData().containsKey(key)) {
                return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Secret " + pod.getMetadata().getNamespace() + "/" + secretName + " (key " + key
                        + ") never appeared: the kubelet cannot mount the sidecar's token");
            }
            sleep(200);
        }
    }

    /** The annotation the Downward API volume mounts, with the listeners moved from 0.0.0.0/127.0.0.1 to the pod IP. */
    private static String initialConfig(Pod pod, String ip) throws IOException {
        String config = labels(pod.getMetadata().getAnnotations()).get("faultline.io/initial-config");
        if (config == null) {
            throw new IllegalStateException("the sidecar has --config but the pod no faultline.io/initial-config annotation");
        }
        JsonNode node = JSON.readTree(config);
        for (JsonNode listener : node.path("listeners")) {
            String listen = listener.path("listen").asText();
            ((ObjectNode) listener).put("listen", ip + listen.substring(listen.lastIndexOf(':')));
        }
        return JSON.writeValueAsString(node);
    }

    private static ObjectNode runningStatus(Pod pod, String ip, SidecarProcess sidecar) {
        String now = Instant.now().toString().replaceAll("\\.\\d+Z$", "Z");
        ObjectNode status = JSON.createObjectNode();
        status.put("phase", "Running").put("podIP", ip).put("hostIP", "127.0.0.1").put("startTime", now);
        status.putArray("podIPs").addObject().put("ip", ip);
        ArrayNode conditions = status.putArray("conditions");
        for (String type : List.of("PodScheduled", "Initialized", "ContainersReady", "Ready")) {
            conditions.addObject().put("type", type).put("status", "True").put("lastTransitionTime", now);
        }
        ArrayNode containers = status.putArray("containerStatuses");
        for (Container container : pod.getSpec().getContainers()) {
            containers.add(containerStatus(container, sidecar, now));
        }
        if (pod.getSpec().getInitContainers() != null && !pod.getSpec().getInitContainers().isEmpty()) {
            ArrayNode init = status.putArray("initContainerStatuses");
            for (Container container : pod.getSpec().getInitContainers()) {
                init.add(containerStatus(container, sidecar, now));
            }
        }
        return status;
    }

    private static ObjectNode containerStatus(Container container, SidecarProcess sidecar, String now) {
        boolean isSidecar = "faultline-sidecar".equals(container.getName());
        ObjectNode status = JSON.createObjectNode().put("name", container.getName()).put("image", container.getImage())
                .put("imageID", "e2e://" + container.getImage()).put("restartCount", 0).put("ready", true).put("started", true)
                .put("containerID", "e2e://" + (isSidecar && sidecar != null ? "pid-" + sidecar.pid() : container.getName()));
        status.putObject("state").putObject("running").put("startedAt", now);
        return status;
    }

    private void terminate(Pod pod) {
        stop(pod.getMetadata().getUid());
        if (pod.getSpec().getNodeName() != null) { // a bound pod waits for its kubelet's confirmation
            admin.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .withGracePeriod(0).delete();
        }
    }

    private void stop(String uid) {
        RunningPod pod = running.remove(uid);
        if (pod != null && pod.sidecar() != null) {
            pod.sidecar().close();
        }
    }

    private static Map<String, String> labels(Pod pod) {
        return labels(pod.getMetadata().getLabels());
    }

    private static Map<String, String> labels(Map<String, String> map) {
        return map == null ? Map.of() : map;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        informer.close();
        workers.shutdownNow();
        running.values().forEach(pod -> {
            if (pod.sidecar() != null) {
                pod.sidecar().close();
            }
        });
        running.clear();
    }
}
