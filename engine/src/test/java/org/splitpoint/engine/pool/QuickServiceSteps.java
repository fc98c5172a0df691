package org.splitpoint.engine.pool;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class whose service windows take their steps at once ({@code splitpoint.serviceStepScale}
 * 0: a drive's return does not pace itself as for a host) and, with {@code compactOften}, whose
 * window logs compact whenever a flush finds them due ({@code splitpoint.serviceLogSlack} 0, put back
 * after the class). One place for what 27 classes said in their own {@code @BeforeAll}.
 *
 * <p>The step scale is left set after the class, as those classes left it: the suite's later
 * service tests were timed with it.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(QuickServiceSteps.Setting.class)
@interface QuickServiceSteps {

    /** The window logs compact as soon as they are due (slack 0), for the class's tests only. */
    boolean compactOften() default false;

    /** Sets the properties before the class's tests and takes the slack back after them. */
    final class Setting implements BeforeAllCallback, AfterAllCallback {

        @Override
        public void beforeAll(ExtensionContext context) {
            System.setProperty("splitpoint.serviceStepScale", "0");
            if (compactOften(context)) {
                System.setProperty("splitpoint.serviceLogSlack", "0");
            }
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (compactOften(context)) {
                System.clearProperty("splitpoint.serviceLogSlack");
            }
        }

        private static boolean compactOften(ExtensionContext context) {
            QuickServiceSteps a = context.getRequiredTestClass().getAnnotation(QuickServiceSteps.class);
            return a != null && a.compactOften();
        }
    }
}
