ALTER TABLE "instances" ADD COLUMN "app_key" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "read_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "instances_app_key_idx" ON "instances" USING btree ("app_key","created_at" DESC NULLS FIRST,"instance_id" DESC NULLS FIRST);--> statement-breakpoint
CREATE INDEX "notifications_inbox_idx" ON "notifications" USING btree ("recipient_id","kind","created_at" DESC NULLS FIRST,"id" DESC NULLS FIRST);