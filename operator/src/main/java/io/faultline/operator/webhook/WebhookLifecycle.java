package io.faultline.operator.webhook;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.faultline.operator.certs.RotatingKeyManager;
import io.faultline.operator.certs.ServingCertificate;
import io.faultline.operator.certs.WebhookCertificates;
import io.faultline.operator.config.FaultlineConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * Starts the webhook with the operator: certificates first (until they can be had, retried every 30 s, the endpoint
 * stays down and pods are admitted unchanged thanks to failurePolicy Ignore), then the HTTPS endpoint; afterwards the
 * certificates are checked every {@code faultline.webhook.check-interval} and a renewed one is served on the next
 * handshake. Also keeps the token Secret in every namespace labelled {@code faultline.io/injection=enabled}.
 */
@ApplicationScoped
public class WebhookLifecycle {
    private static final Logger LOG = Logger.getLogger(WebhookLifecycle.class);

    private final WebhookConfig config;
    private final InjectionSettings settings;
    private final WebhookCertificates certificates;
    private final KubernetesClusterLookup cluster;
    private final InjectionEvents events;
    private final TokenSecrets tokens;
    private final KubernetesClient client;
    private final boolean globalKillSwitch;
    private final RotatingKeyManager keys = new RotatingKeyManager();
    private ScheduledExecutorService scheduler;
    private SharedIndexInformer<Namespace> namespaces;
    private SharedIndexInformer<MutatingWebhookConfiguration> webhookConfiguration;
    private volatile WebhookServer server;

    public WebhookLifecycle(WebhookConfig config, InjectionConfig injection, FaultlineConfig operator, WebhookCertificates certificates,
            KubernetesClusterLookup cluster, InjectionEvents events, TokenSecrets tokens, KubernetesClient client) {
        this.config = config;
        this.settings = InjectionSettings.from(injection, operator);
        this.certificates = certificates;
        this.cluster = cluster;
        this.events = events;
        this.tokens = tokens;
        this.client = client;
        this.globalKillSwitch = operator.killSwitch();
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.enabled()) {
            LOG.info("injection webhook disabled (faultline.webhook.enabled=false)");
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "faultline-webhook-certs");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.execute(this::bootstrap);
        watchOptedInNamespaces();
        watchWebhookConfiguration();
    }

    private void bootstrap() {
        try {
            refreshCertificates();
            AdmissionHandler handler = new AdmissionHandler(settings, cluster, events, globalKillSwitch, Clock.systemUTC());
            server = WebhookServer.start(new InetSocketAddress(config.host(), config.port()), keys.sslContext(), handler, config.threads());
            LOG.infof("injection webhook listening on https://%s:%d%s", config.host(), server.port(), WebhookServer.MUTATE_PATH);
            long every = config.checkInterval().toMillis();
            scheduler.scheduleWithFixedDelay(this::refreshQuietly, every, every, TimeUnit.MILLISECONDS);
        } catch (RuntimeException | IOException e) {
            LOG.errorf("injection webhook not started (pods are admitted unchanged); retrying in 30s: %s", e.getMessage());
            scheduler.schedule(this::bootstrap, 30, TimeUnit.SECONDS);
        }
    }

    private void refreshCertificates() {
        ServingCertificate serving = certificates.ensure(Instant.now());
        ServingCertificate installed = keys.installed();
        if (installed == null || !installed.certificatePem().equals(serving.certificatePem())) {
            keys.install(serving);
        }
    }

    private void refreshQuietly() {
        try {
            refreshCertificates();
        } catch (RuntimeException e) {
            LOG.warnf("webhook certificate check failed (retried in %s): %s", config.checkInterval(), e.getMessage());
        }
    }

    /**
     * The MutatingWebhookConfiguration, watched by name: one created or re-created after the operator started (a
     * Helm upgrade, a GitOps sync, a kubectl apply of the manifest, which carries no caBundle) gets the CA at once,
     * not at the next hourly check; until it has it, the API server cannot call the webhook and admits pods unchanged.
     */
    private void watchWebhookConfiguration() {
        webhookConfiguration = client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(config.configurationName())
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(MutatingWebhookConfiguration configuration) {
                        repairCaBundle();
                    }

                    @Override
                    public void onUpdate(MutatingWebhookConfiguration previous, MutatingWebhookConfiguration configuration) {
                        repairCaBundle();
                    }

                    @Override
                    public void onDelete(MutatingWebhookConfiguration configuration, boolean unknownState) {
                    }
                }, 0);
    }

    private void repairCaBundle() {
        if (scheduler == null || scheduler.isShutdown()) {
            return;
        }
        try {
            scheduler.execute(this::repairCaBundleNow);
        } catch (RejectedExecutionException e) {
            // stopping
        }
    }

    private void repairCaBundleNow() {
        ServingCertificate installed = keys.installed();
        if (installed == null) {
            return; // bootstrap sets it once the certificates exist
        }
        try {
            certificates.patchCaBundle(installed.caPem());
        } catch (RuntimeException e) { // e.g. a conflict with another writer: read again shortly
            LOG.warnf("caBundle of MutatingWebhookConfiguration %s not set (retried in 2s): %s", config.configurationName(),
                    e.getMessage());
            scheduler.schedule(this::repairCaBundle, 2, TimeUnit.SECONDS);
        }
    }

    private void watchOptedInNamespaces() {
        namespaces = client.namespaces().withLabel(InjectionAnnotations.NAMESPACE_LABEL, InjectionAnnotations.NAMESPACE_LABEL_ENABLED)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Namespace namespace) {
                        ensureToken(namespace);
                    }

                    @Override
                    public void onUpdate(Namespace previous, Namespace namespace) {
                        ensureToken(namespace);
                    }

                    @Override
                    public void onDelete(Namespace namespace, boolean unknownState) {
                    }
                }, config.checkInterval().toMillis());
    }

    private void ensureToken(Namespace namespace) {
        if (namespace.getMetadata().getDeletionTimestamp() != null) {
            return;
        }
        try {
            tokens.ensure(namespace.getMetadata().getName());
        } catch (RuntimeException e) {
            LOG.warnf("token Secret for namespace %s: %s", namespace.getMetadata().getName(), e.getMessage());
        }
    }

    /** The endpoint's port once started (tests bind port 0), or -1. */
    public int port() {
        WebhookServer current = server;
        return current == null ? -1 : current.port();
    }

    public RotatingKeyManager keys() {
        return keys;
    }

    void onStop(@Observes ShutdownEvent event) {
        if (namespaces != null) {
            namespaces.close();
        }
        if (webhookConfiguration != null) {
            webhookConfiguration.close();
        }
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }
}
