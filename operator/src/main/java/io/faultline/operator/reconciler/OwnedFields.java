package io.faultline.operator.reconciler;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.faultline.crds.FaultSession;
import io.faultline.crds.QoSProfile;

/**
 * A fresh object naming the resource and nothing else, to be filled with exactly the fields the operator owns (status,
 * its own annotation) before it is sent. The operator patches with server-side apply: an object sent back as the
 * informer cached it would claim every field of the user's spec for the operator's field manager (and the API server
 * refuses it anyway, since it carries managedFields). No resourceVersion either: an apply of owned fields needs no
 * optimistic lock, and a concurrent user edit must never fail the operator's status write.
 */
final class OwnedFields {
    private OwnedFields() {
    }

    static FaultSession of(FaultSession session) {
        FaultSession owned = new FaultSession();
        owned.setMetadata(new ObjectMetaBuilder().withName(session.getMetadata().getName())
                .withNamespace(session.getMetadata().getNamespace()).build());
        return owned;
    }

    static QoSProfile of(QoSProfile profile) {
        QoSProfile owned = new QoSProfile();
        owned.setMetadata(new ObjectMetaBuilder().withName(profile.getMetadata().getName())
                .withNamespace(profile.getMetadata().getNamespace()).build());
        return owned;
    }
}
