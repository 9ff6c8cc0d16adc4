CREATE TABLE "daily_job_state" (
	"redis" text PRIMARY KEY NOT NULL,
	"daily_from" date,
	"sweep_cursor" text DEFAULT '0' NOT NULL,
	"active_users_cursor" text DEFAULT '0' NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
