package org.splitpoint.engine.raid;

/** Told (on the I/O thread; must not block) when a member failed on an I/O error. */
@FunctionalInterface
public interface MemberFailureListener {
    void memberFailed(Member member, String why);
}
