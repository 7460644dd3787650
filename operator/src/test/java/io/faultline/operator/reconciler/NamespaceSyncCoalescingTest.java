package io.faultline.operator.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.faultline.crds.FaultSession;
import io.faultline.crds.common.PodSelector;
import io.faultline.crds.spec.FaultSessionSpec;
import io.faultline.crds.spec.Target;
import io.faultline.operator.compiler.Sessions;
import io.faultline.operator.sidecar.ConfigPusher;
import io.faultline.operator.testing.TestSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * Reconciles queued behind a running sync of their namespace are served by one sync that read the caches after they
 * asked, never by a sync that read them before.
 */
class NamespaceSyncCoalescingTest {
    private final TestSettings settings = new TestSettings("token", Duration.ofMinutes(5));
    private final NamespaceSynchronizer synchronizer = new NamespaceSynchronizer(new SessionResolver(),
            new ConfigPusher(settings, new SimpleMeterRegistry()), settings);
    private final ExecutorService threads = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    @Test
    void requestsQueuedBehindASyncAreServedByOneNewSync() throws Exception {
        AtomicInteger viewsRead = new AtomicInteger();
        CountDownLatch firstSyncRunning = new CountDownLatch(1);
        CountDownLatch releaseFirstSync = new CountDownLatch(1);
        Future<NamespaceSyncResult> first = threads.submit(() -> synchronizer.syncFresh("shop", () -> {
            viewsRead.incrementAndGet();
            firstSyncRunning.countDown();
            await(releaseFirstSync);
            return view("first");
        }));
        assertThat(firstSyncRunning.await(10, TimeUnit.SECONDS)).isTrue();

        int queued = 20;
        List<Future<NamespaceSyncResult>> later = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            later.add(threads.submit(() -> synchronizer.syncFresh("shop", () -> {
                viewsRead.incrementAndGet();
                return view("second");
            })));
        }
        waitUntilQueued(queued);
        releaseFirstSync.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS).resolutions()).containsKey("uid-first");
        for (Future<NamespaceSyncResult> result : later) {
            // none is served by the first sync: it read the caches before they asked
            assertThat(result.get(10, TimeUnit.SECONDS).resolutions()).containsOnlyKeys("uid-second");
        }
        assertThat(viewsRead).as("one sync for the first request, one for the %d queued behind it", queued).hasValue(2);
    }

    @Test
    void aRequestAfterASyncFinishedGetsANewSync() {
        AtomicInteger viewsRead = new AtomicInteger();

        NamespaceSyncResult one = synchronizer.syncFresh("shop", () -> {
            viewsRead.incrementAndGet();
            return view("one");
        });
        NamespaceSyncResult two = synchronizer.syncFresh("shop", () -> {
            viewsRead.incrementAndGet();
            return view("two");
        });

        assertThat(viewsRead).hasValue(2);
        assertThat(one.resolutions()).containsOnlyKeys("uid-one");
        assertThat(two.resolutions()).containsOnlyKeys("uid-two");
        assertThat(two.at()).isAfterOrEqualTo(one.at());
    }

    @Test
    void namespacesAreNotCoalescedWithEachOther() {
        AtomicInteger viewsRead = new AtomicInteger();

        synchronizer.syncFresh("shop", () -> {
            viewsRead.incrementAndGet();
            return view("one");
        });
        synchronizer.syncFresh("billing", () -> {
            viewsRead.incrementAndGet();
            return new NamespaceView("billing", List.of(), List.of(), Map.of(), false);
        });

        assertThat(viewsRead).hasValue(2);
    }

    private void waitUntilQueued(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (synchronizer.waitingSyncs("shop") < count) {
            assertThat(System.nanoTime()).as("%d syncs queued", count).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(20, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A namespace with one session named after the sync that reads it, and one pod not injected (nothing to push). */
    private static NamespaceView view(String sessionName) {
        return new NamespaceView("shop", List.of(session(sessionName)), List.of(pod()), Map.of(), false);
    }

    private static FaultSession session(String name) {
        FaultSession session = new FaultSession();
        session.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("shop").withUid("uid-" + name)
                .withCreationTimestamp(Instant.now().minusSeconds(5).toString()).withGeneration(1L).build());
        Target target = new Target();
        target.name = "app";
        target.port = 8080;
        FaultSessionSpec spec = new FaultSessionSpec();
        spec.selector = new PodSelector(Map.of("app", "shop"));
        spec.targets = List.of(target);
        spec.faults = List.of(Sessions.latency("slow", "100ms"));
        session.setSpec(spec);
        return session;
    }

    private static Pod pod() {
        return new PodBuilder().withNewMetadata().withName("web").withNamespace("shop").withUid("uid-web")
                .withLabels(Map.of("app", "shop")).endMetadata()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus().build();
    }
}
