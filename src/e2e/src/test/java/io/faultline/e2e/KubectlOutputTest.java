package io.faultline.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;
import io.faultline.crds.common.Condition;
import io.faultline.crds.qos.QoSProfileStatus;
import io.faultline.crds.status.FaultSessionStatus;
import io.faultline.crds.status.SessionPhase;
import io.faultline.kube.testkit.KubeApiServer;
import io.faultline.kube.testkit.WithKubeApiServer;

/**
 * What {@code kubectl get fs}, {@code kubectl get qos}, {@code kubectl describe} and {@code kubectl explain} show a
 * user, with status written through the status subresource as the operator writes it: the columns in a readable
 * order, expiry as an instant (also in the future, where a date column would print {@code <invalid>}), ages relative
 * to now.
 */
@WithKubeApiServer
class KubectlOutputTest {
    private static final Pattern AGE = Pattern.compile("^(?:(\\d+)d)?(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s)?$");
    private static String ns;
    private static Instant created;
    private static String expiresSoon;
    private static String expiredAt;

    @BeforeAll
    static void sessionsWithStatus(KubeApiServer server, KubernetesClient admin) {
        FaultlineCrds.install(server);
        ns = server.createNamespace("kubectl-output");
        created = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        server.apply().inNamespace(ns).yaml("""
                apiVersion: faultline.io/v1alpha1
                kind: QoSProfile
                metadata: {name: flaky-3g}
                spec: {latency: {mean: 150ms}}
                ---
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: checkout-degraded}
                spec:
                  selector: {matchLabels: {app: checkout}}
                  schedule: {duration: 15m}
                  qosProfileRef: {name: flaky-3g}
                  targets: [{name: http, port: 8080, protocol: http}]
                  faults: [{name: slow, latency: {fixed: 200ms}}]
                ---
                apiVersion: faultline.io/v1alpha1
                kind: FaultSession
                metadata: {name: last-week}
                spec:
                  selector: {}
                  schedule: {startAt: "2020-01-01T10:00:00Z", duration: 1h}
                  targets: [{name: db, port: 5432}]
                """);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        expiresSoon = now.plus(Duration.ofMinutes(15)).toString();
        expiredAt = "2020-01-01T11:00:00Z";
        sessionStatus(admin, "checkout-degraded", SessionPhase.Active, now.toString(), expiresSoon, 3, 2, "True",
                "FaultsActive");
        sessionStatus(admin, "last-week", SessionPhase.Expired, "2020-01-01T10:00:00Z", expiredAt, 0, 0, "False",
                "Expired");
        admin.resources(QoSProfile.class).inNamespace(ns).withName("flaky-3g").editStatus(profile -> {
            QoSProfileStatus status = new QoSProfileStatus();
            status.sessions = 1;
            status.conditions.add(new Condition("Ready", "True", "Valid", "the profile can be applied", 1L, now.toString()));
            profile.setStatus(status);
            return profile;
        });
    }

    private static void sessionStatus(KubernetesClient admin, String name, SessionPhase phase, String startedAt,
            String expiresAt, int selected, int configured, String ready, String reason) {
        admin.resources(FaultSession.class).inNamespace(ns).withName(name).editStatus(session -> {
            FaultSessionStatus status = new FaultSessionStatus();
            status.phase = phase;
            status.observedGeneration = 1L;
            status.startedAt = startedAt;
            status.expiresAt = expiresAt;
            status.selectedPods = selected;
            status.injectedPods = selected;
            status.configuredPods = configured;
            status.conditions.add(new Condition("Ready", ready, reason, "as the operator would say", 1L, startedAt));
            session.setStatus(status);
            return session;
        });
    }

    @Test
    void getFaultSessionsShowsPhasePodsExpiryAndAge(KubeApiServer server) {
        List<String[]> table = table(server.kubectl().run("get", "fs", "-n", ns).assertSuccess().stdout());

        assertThat(table.get(0)).containsExactly("NAME", "PHASE", "SELECTED", "CONFIGURED", "EXPIRES", "AGE");
        String[] active = row(table, "checkout-degraded");
        assertThat(Arrays.copyOf(active, 5)).containsExactly("checkout-degraded", "Active", "3", "2", expiresSoon);
        assertAge(active[5]);
        String[] expired = row(table, "last-week");
        assertThat(Arrays.copyOf(expired, 5)).containsExactly("last-week", "Expired", "0", "0", expiredAt);
        assertAge(expired[5]);
    }

    @Test
    void getQosProfilesShowsReadinessAndUse(KubeApiServer server) {
        List<String[]> table = table(server.kubectl().run("get", "qos", "-n", ns).assertSuccess().stdout());

        assertThat(table.get(0)).containsExactly("NAME", "READY", "SESSIONS", "AGE");
        String[] profile = row(table, "flaky-3g");
        assertThat(Arrays.copyOf(profile, 3)).containsExactly("flaky-3g", "True", "1");
        assertAge(profile[3]);
    }

    @Test
    void theFaultlineCategoryListsSessionsAndProfiles(KubeApiServer server) {
        String out = server.kubectl().run("get", "faultline", "-n", ns, "-o", "name").assertSuccess().stdout();
        assertThat(out.lines().toList()).containsExactlyInAnyOrder("faultsession.faultline.io/checkout-degraded",
                "faultsession.faultline.io/last-week", "qosprofile.faultline.io/flaky-3g");
    }

    @Test
    void describeShowsSpecAndStatus(KubeApiServer server) {
        String out = server.kubectl().run("describe", "fs", "checkout-degraded", "-n", ns).assertSuccess().stdout();

        assertThat(out).containsPattern("(?m)^Name:\\s+checkout-degraded$")
                .containsPattern("(?m)^Kind:\\s+FaultSession$")
                .containsPattern("(?m)^\\s+Fixed:\\s+200ms$")
                .containsPattern("(?m)^\\s+Phase:\\s+Active$")
                .containsPattern("(?m)^\\s+Expires At:\\s+" + Pattern.quote(expiresSoon) + "$")
                .containsPattern("(?m)^\\s+Configured Pods:\\s+2$")
                .containsPattern("(?m)^\\s+Reason:\\s+FaultsActive$")
                .containsPattern("(?m)^\\s+Type:\\s+Ready$");
    }

    @Test
    void explainDescribesEveryField(KubeApiServer server) {
        String out = server.kubectl().run("explain", "fs.spec.faults.latency").assertSuccess().stdout();
        assertThat(out).contains("Delay data by a fixed time plus jitter").contains("fixed").contains("distribution");
    }

    /** kubectl's table: columns are separated by at least three spaces (no cell here is empty). */
    private static List<String[]> table(String stdout) {
        List<String[]> rows = new ArrayList<>();
        stdout.lines().forEach(line -> rows.add(line.trim().split(" {3,}")));
        return rows;
    }

    private static String[] row(List<String[]> table, String name) {
        return table.stream().filter(r -> r[0].equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + name));
    }

    /** The AGE cell is a relative time no longer than the time since the resources were created (kubectl rounds down). */
    private static void assertAge(String cell) {
        Matcher m = AGE.matcher(cell);
        assertThat(m.matches()).as("AGE cell '%s' is a relative time like 5s or 2m10s", cell).isTrue();
        long seconds = 0;
        long[] unit = {86_400, 3_600, 60, 1};
        for (int i = 0; i < 4; i++) {
            if (m.group(i + 1) != null) {
                seconds += Long.parseLong(m.group(i + 1)) * unit[i];
            }
        }
        long elapsed = Duration.between(created, Instant.now()).toSeconds() + 2;
        assertThat(seconds).as("AGE %s", cell).isBetween(0L, elapsed);
    }
}
