import { type ServiceEnv, serviceEnvSchema } from '@baton/service-kit';

/**
 * cart-service reads only the variables every Baton app reads (INSTANCE_ID, PORT, VALKEY_URL, …);
 * its cart limits and catalog are part of the code, identical on every replica.
 */
export const cartEnvSchema = serviceEnvSchema;

export type CartConfig = ServiceEnv;
