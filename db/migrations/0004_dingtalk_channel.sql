CREATE TABLE "dingtalk_cards" (
	"out_track_id" text PRIMARY KEY NOT NULL,
	"instance_id" text NOT NULL,
	"task_id" text NOT NULL,
	"node_id" text NOT NULL,
	"user_id" text NOT NULL,
	"dingtalk_user_id" text NOT NULL,
	"state" text NOT NULL,
	"params" jsonb NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dingtalk_todos" (
	"instance_id" text NOT NULL,
	"task_id" text NOT NULL,
	"union_id" text NOT NULL,
	"todo_id" text NOT NULL,
	"done" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"done_at" timestamp with time zone,
	CONSTRAINT "dingtalk_todos_instance_id_task_id_pk" PRIMARY KEY("instance_id","task_id")
);
--> statement-breakpoint
CREATE TABLE "user_sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"via" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "state" text DEFAULT 'pending' NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "attempts" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "last_error" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "dingtalk_task_id" text;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "dingtalk_union_id" text;--> statement-breakpoint
CREATE INDEX "dingtalk_cards_instance_id_idx" ON "dingtalk_cards" USING btree ("instance_id","node_id");--> statement-breakpoint
CREATE INDEX "user_sessions_user_id_idx" ON "user_sessions" USING btree ("user_id");