CREATE TABLE "erp_systems" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text,
	"base_url" text NOT NULL,
	"auth" jsonb NOT NULL,
	"operations" jsonb NOT NULL,
	"write_back" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "webhook_dead_letters" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"instance_id" text NOT NULL,
	"app_key" text NOT NULL,
	"url" text NOT NULL,
	"body" jsonb NOT NULL,
	"last_error" text NOT NULL,
	"last_status_code" integer,
	"dead_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replayed_at" timestamp with time zone,
	"replay_attempts" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "webhook_dead_letters_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "webhook_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"event_id" text NOT NULL,
	"event_type" text NOT NULL,
	"instance_id" text NOT NULL,
	"app_key" text NOT NULL,
	"url" text NOT NULL,
	"attempt" integer NOT NULL,
	"outcome" text NOT NULL,
	"status_code" integer,
	"error" text,
	"duration_ms" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "webhook_dead_letters_app_key_idx" ON "webhook_dead_letters" USING btree ("app_key","dead_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "webhook_deliveries_event_id_idx" ON "webhook_deliveries" USING btree ("event_id");--> statement-breakpoint
CREATE INDEX "webhook_deliveries_instance_id_idx" ON "webhook_deliveries" USING btree ("instance_id","at");