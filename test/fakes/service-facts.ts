import type { ComposeTarget } from "../../src/docker/types.js";
import type { ServiceFacts, ServiceFactsPort } from "../../src/platform/compose/service-facts.js";

/** `docker-compose config` as data: facts per compose service name; `reads` records each call. */
export class FakeServiceFacts implements ServiceFactsPort {
  readonly facts: Record<string, ServiceFacts> = {};
  readonly reads: string[] = [];
  failure: string | null = null;

  set(service: string, facts: Partial<ServiceFacts>): void {
    this.facts[service] = { healthcheck: "declared", stopGracePeriodMs: null, ...this.facts[service], ...facts };
  }

  async read(target: ComposeTarget): Promise<Record<string, ServiceFacts>> {
    this.reads.push(target.project);
    if (this.failure) throw new Error(this.failure);
    return { ...this.facts };
  }
}
