CREATE TABLE "instance_events" (
	"instance_id" text NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_id" text,
	"task_id" text,
	"node_id" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	CONSTRAINT "instance_events_instance_id_seq_at_pk" PRIMARY KEY("instance_id","seq","at")
) PARTITION BY RANGE ("at");
--> statement-breakpoint
-- Hand-written (drizzle-kit does not model partitions): one partition per calendar month (UTC),
-- created ahead by ensure_instance_event_partitions(); rows outside every month land in the default.
CREATE TABLE "instance_events_default" PARTITION OF "instance_events" DEFAULT;
--> statement-breakpoint
CREATE FUNCTION ensure_instance_event_partitions(months_ahead integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  month_start timestamptz;
  month_end timestamptz;
  created integer := 0;
  partition_name text;
BEGIN
  FOR i IN -1..months_ahead LOOP
    -- Month arithmetic on UTC wall-clock time, so the session's time zone (and its DST) plays no part.
    month_start := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i)) AT TIME ZONE 'UTC';
    month_end := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i + 1)) AT TIME ZONE 'UTC';
    partition_name := 'instance_events_' || to_char(month_start AT TIME ZONE 'UTC', 'YYYYMM');
    IF to_regclass(partition_name) IS NULL THEN
      BEGIN
        EXECUTE format(
          'CREATE TABLE %I PARTITION OF instance_events FOR VALUES FROM (%L) TO (%L)',
          partition_name, month_start, month_end
        );
        created := created + 1;
      EXCEPTION WHEN duplicate_table THEN
        NULL; -- another process made it first
      END;
    END IF;
  END LOOP;
  RETURN created;
END
$$;
--> statement-breakpoint
SELECT ensure_instance_event_partitions(3);
--> statement-breakpoint
CREATE TABLE "instances" (
	"instance_id" text PRIMARY KEY NOT NULL,
	"flow_code" text NOT NULL,
	"flow_version" integer NOT NULL,
	"business_key" text NOT NULL,
	"status" text NOT NULL,
	"initiator_id" text NOT NULL,
	"source_system" text,
	"source_type" text,
	"source_id" text,
	"current_node_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"view" jsonb NOT NULL,
	"last_event_seq" integer DEFAULT -1 NOT NULL,
	"revision" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"projected_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"instance_id" text NOT NULL,
	"task_id" text NOT NULL,
	"flow_code" text NOT NULL,
	"node_id" text NOT NULL,
	"node_name" text,
	"assignee_id" text NOT NULL,
	"status" text NOT NULL,
	"reason" text,
	"title" text NOT NULL,
	"comment" text,
	"delegated_from" text,
	"created_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"revision" integer NOT NULL,
	CONSTRAINT "tasks_instance_id_task_id_pk" PRIMARY KEY("instance_id","task_id")
);
--> statement-breakpoint
CREATE INDEX "instance_events_data_idx" ON "instance_events" USING gin ("data" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "instances_source_idx" ON "instances" USING btree ("source_system","source_type","source_id","created_at" DESC NULLS FIRST,"instance_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "instances_initiator_idx" ON "instances" USING btree ("initiator_id","created_at" DESC NULLS FIRST,"instance_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "instances_status_idx" ON "instances" USING btree ("status","created_at" DESC NULLS FIRST,"instance_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_assignee_idx" ON "tasks" USING btree ("assignee_id","status","created_at" DESC NULLS FIRST,"instance_id" DESC NULLS FIRST,"task_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "tasks_status_idx" ON "tasks" USING btree ("status","created_at" DESC NULLS FIRST,"instance_id" DESC NULLS FIRST,"task_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "users_roles_idx" ON "users" USING gin ("roles");